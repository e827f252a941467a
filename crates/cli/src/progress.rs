//! Progress for long work: a bar on a terminal, structured log lines otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dateline_app::import::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Reports progress of a job measured in bytes of input (or records when `total` is 0).
pub struct Reporter {
    bar: Option<ProgressBar>,
    what: &'static str,
    last_log: Mutex<Instant>,
    counting: bool,
}

impl Reporter {
    /// A reporter for `total` bytes (0 if unknown).
    pub fn new(what: &'static str, total: u64) -> Reporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = if total > 0 {
                ProgressBar::new(total)
            } else {
                ProgressBar::new_spinner()
            };
            let template = if total > 0 {
                "{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)"
            } else {
                "{spinner} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Reporter {
            bar,
            what,
            last_log: Mutex::new(Instant::now()),
            counting: false,
        }
    }

    /// A reporter for `total` records (the bar counts records, not bytes).
    pub fn new_counting(what: &'static str, total: u64) -> Reporter {
        let r = Reporter::new(what, 0);
        if let Some(bar) = &r.bar {
            bar.set_length(total);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} ({eta} left)")
            {
                bar.set_style(style.progress_chars("=> "));
            }
        }
        Reporter {
            counting: true,
            ..r
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn advance(&self, records: usize, bytes: u64) {
        match &self.bar {
            Some(bar) => {
                if self.counting {
                    bar.set_position(records as u64);
                } else if bytes > 0 {
                    bar.set_position(bytes);
                }
                bar.set_message(format!("{records} articles"));
            }
            None => {
                let mut last = self.last_log.lock().unwrap_or_else(|p| p.into_inner());
                if last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    tracing::info!(job = self.what, records, bytes, "progress");
                }
            }
        }
    }
}
