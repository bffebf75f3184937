//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use fastmcp::client::ProgressEvent;

/// The path of an example binary (`cargo test` builds examples next to the test binaries).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` so examples are built",
        path.display()
    );
    path
}

/// A progress handler that records what it receives.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<ProgressEvent>>>);

impl Recorder {
    pub fn handler(
        &self,
    ) -> impl Fn(f64, Option<f64>, Option<String>) -> std::future::Ready<()> + Send + Sync + 'static
    {
        let events = Arc::clone(&self.0);
        move |progress, total, message| {
            events.lock().unwrap().push(ProgressEvent {
                progress,
                total,
                message,
            });
            std::future::ready(())
        }
    }

    pub fn events(&self) -> Vec<ProgressEvent> {
        self.0.lock().unwrap().clone()
    }

    pub fn values(&self) -> Vec<f64> {
        self.events().iter().map(|e| e.progress).collect()
    }
}
