//! URI templates: the first line is parsed as a template, the rest matched against it.
#![no_main]

use fastmcp::resources::UriTemplate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, uri) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(template) = UriTemplate::parse(template)
        && let Some(values) = template.match_uri(uri)
    {
        // Every value belongs to a variable of the template.
        let names = template.variables();
        assert!(values.keys().all(|name| names.contains(&name.as_str())));
    }
});
