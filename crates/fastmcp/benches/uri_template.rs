//! URI-template matching against hostile URIs: `cargo bench -p fastmcp --bench uri_template`.
//!
//! Each template is the worst shape we know for a matcher (several multi-segment variables
//! with literals between them), each URI 8 KiB (the longest matched) that almost matches.
//! Prints the median time per match and its ratio to one plain pass over the URI's bytes
//! (counting `/`), measured in the same run. Goal: under 1 ms per match.

use std::hint::black_box;
use std::time::{Duration, Instant};

use fastmcp::resources::UriTemplate;

const URI_BYTES: usize = 8 * 1024;
const ROUNDS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// The median time of `f`, each sample averaging `reps` calls.
fn time(reps: u32, mut f: impl FnMut()) -> Duration {
    let samples = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            start.elapsed() / reps
        })
        .collect();
    median(samples)
}

fn main() {
    let cases = [
        ("res://{+a}/x/{+b}/y/{+c}/z", "res://", "x/"),
        ("files://{a*}/{b*}/{c*}/{d*}/end", "files://", "a/"),
        ("t://{x}/{+rest}/tail{?q}", "t://", "%41/"),
    ];
    println!("template                              uri     median      / one byte pass");
    for (template, prefix, unit) in cases {
        let template = UriTemplate::parse(template).expect("template");
        let mut uri = prefix.to_owned();
        while uri.len() + unit.len() <= URI_BYTES {
            uri.push_str(unit);
        }
        let matched = time(20, || {
            black_box(template.match_uri(black_box(&uri)));
        });
        let scan = time(2000, || {
            black_box(black_box(&uri).bytes().filter(|b| *b == b'/').count());
        });
        println!(
            "{:<37} {:>5} B {:>8.1} µs  {:>6.0}x",
            template.as_str(),
            uri.len(),
            matched.as_secs_f64() * 1e6,
            matched.as_secs_f64() / scan.as_secs_f64().max(1e-12),
        );
    }
}
