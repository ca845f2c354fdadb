//! The worker threads that typeset documents side by side.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Failure;

/// `f(0)`, …, `f(n - 1)` on one thread per core, results in order.
///
/// The threads `parallel` runs at most: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Not one rayon pool for all: Typst uses rayon inside a compilation, and a
/// rayon worker waiting there steals the next whole document and compiles it
/// on top of the first, on the same stack. Documents then pile up unfinished
/// (memory grew with every document, and stacks overflowed at a few
/// thousand). Each worker is the one thread of a rayon pool of its own
/// instead: Typst's inner parallel work runs on it, in turn, with nothing
/// else to steal, rather than being handed to rayon's global threads and
/// waited for, which cost every document a round trip between threads per
/// parallel step and left the workers waiting on each other's steps.
pub fn parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Result<Vec<T>, Failure> {
    let workers = cores().min(n.max(1));
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<T>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| -> Result<(), Failure> {
        let mut handles = Vec::new();
        for w in 0..workers {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(move |_| format!("typeset-{w}"))
                .stack_size(16 << 20)
                .build()
                .map_err(|e| anyhow::anyhow!("cannot start typesetting threads: {e}"))?;
            let handle = std::thread::Builder::new()
                .name(format!("typeset-{w}-wait"))
                .spawn_scoped(scope, {
                    let (next, results, f) = (&next, &results, &f);
                    move || {
                        pool.install(|| {
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= n {
                                    break;
                                }
                                let result = f(i);
                                *results[i].lock().expect("result lock") = Some(result);
                            }
                        })
                    }
                })
                .map_err(|e| anyhow::anyhow!("cannot start typesetting threads: {e}"))?;
            handles.push(handle);
        }
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Ok(())
    })?;
    Ok(results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .expect("result lock")
                .expect("every index ran")
        })
        .collect())
}

/// Runs `f`; a panic inside Typst fails this document, not the run.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!(
            "the typesetter failed unexpectedly ({what}); please report this"
        ))
    })
}
