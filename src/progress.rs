//! Progress for people waiting at a terminal: a spinner on stderr that appears only when a
//! phase takes more than a second, never on a pipe or in a file, and never with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Whether a run shows its phases: the command line passes `--quiet` here; a library caller
/// that wants no spinner at all uses `Progress::quiet()`.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    quiet: bool,
}

/// A library caller draws nothing unless it asks to.
impl Default for Progress {
    fn default() -> Progress {
        Progress::quiet()
    }
}

impl Progress {
    /// Phases drawn on a terminal (unless `quiet`).
    pub fn new(quiet: bool) -> Progress {
        Progress { quiet }
    }

    /// No phase is ever drawn.
    pub fn quiet() -> Progress {
        Progress { quiet: true }
    }

    /// Whether the run was asked to be quiet (`--quiet`): its summaries are silenced too.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Starts a phase; it ends when the returned guard is dropped.
    pub fn phase(&self, message: &str) -> Phase {
        Phase::start(message, self.quiet)
    }
}

/// One phase's spinner (hidden until a second has passed).
pub struct Phase {
    done: Arc<AtomicBool>,
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

impl Phase {
    /// Starts a phase named `message`; with `quiet` or off a terminal it never draws.
    pub fn start(message: &str, quiet: bool) -> Phase {
        let done = Arc::new(AtomicBool::new(false));
        let bar = Arc::new(Mutex::new(None));
        if !quiet && std::io::stderr().is_terminal() {
            let (done2, bar2, message) = (done.clone(), bar.clone(), message.to_owned());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(1));
                if done2.load(Ordering::SeqCst) {
                    return;
                }
                let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                pb.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                pb.set_message(message);
                pb.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut slot) = bar2.lock() {
                    if done2.load(Ordering::SeqCst) {
                        pb.finish_and_clear();
                    } else {
                        *slot = Some(pb);
                    }
                }
            });
        }
        Phase { done, bar }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Ok(mut slot) = self.bar.lock()
            && let Some(pb) = slot.take()
        {
            pb.finish_and_clear();
        }
    }
}
