//! Links: the one bounded worker pool for outside requests, polite to each host: at most
//! `workers` jobs at once, at most `per_host` to one host, started at least `host_delay` apart.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How many jobs run at once, and how gently each host is treated.
#[derive(Debug, Clone, Copy)]
pub struct Pool {
    pub workers: usize,
    pub per_host: usize,
    pub host_delay: Duration,
}

impl From<&super::http::HttpOptions> for Pool {
    fn from(o: &super::http::HttpOptions) -> Pool {
        Pool { workers: o.concurrency, per_host: o.per_host, host_delay: o.host_delay }
    }
}

/// Shared state of the workers.
struct Queue {
    /// Indexes of the jobs not started yet, in order.
    pending: VecDeque<usize>,
    /// Jobs in flight per host.
    active: HashMap<String, usize>,
    /// When the last job to each host started.
    started: HashMap<String, Instant>,
}

impl Pool {
    /// Runs `work` on every item and returns the results in the items' order. `host` names
    /// the host an item asks; `done` is told of each result as it comes (for progress).
    pub fn run<T: Sync, R: Send>(
        &self,
        items: &[T],
        host: impl Fn(&T) -> String + Sync,
        work: impl Fn(&T) -> R + Sync,
        done: impl Fn(&T, &R) + Sync,
    ) -> Vec<R> {
        if items.is_empty() {
            return Vec::new();
        }
        let hosts: Vec<String> = items.iter().map(&host).collect();
        let queue =
            Mutex::new(Queue { pending: (0..items.len()).collect(), active: HashMap::new(), started: HashMap::new() });
        let wake = Condvar::new();
        let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..self.workers.clamp(1, items.len()) {
                s.spawn(|| {
                    while let Some(i) = self.next(&queue, &wake, &hosts) {
                        let result = work(&items[i]);
                        done(&items[i], &result);
                        *results[i].lock().expect("result slot") = Some(result);
                        let mut q = queue.lock().expect("queue lock");
                        if let Some(n) = q.active.get_mut(&hosts[i]) {
                            *n -= 1;
                        }
                        wake.notify_all();
                    }
                });
            }
        });
        results.into_iter().map(|r| r.into_inner().expect("result slot").expect("every job ran")).collect()
    }

    /// Takes the next job whose host may be asked now, waiting while none may; `None` when done.
    fn next(&self, queue: &Mutex<Queue>, wake: &Condvar, hosts: &[String]) -> Option<usize> {
        let mut q = queue.lock().expect("queue lock");
        loop {
            if q.pending.is_empty() {
                return None;
            }
            let now = Instant::now();
            let mut wait = Duration::from_millis(100);
            let ready = q.pending.iter().position(|&i| {
                let host = &hosts[i];
                let busy = q.active.get(host).copied().unwrap_or(0) >= self.per_host.max(1);
                match q.started.get(host).map(|t| now.duration_since(*t)) {
                    Some(since) if since < self.host_delay => {
                        wait = wait.min(self.host_delay - since);
                        false
                    }
                    _ => !busy,
                }
            });
            if let Some(at) = ready {
                let i = q.pending.remove(at).expect("index in range");
                *q.active.entry(hosts[i].clone()).or_insert(0) += 1;
                q.started.insert(hosts[i].clone(), now);
                return Some(i);
            }
            q = wake.wait_timeout(q, wait.max(Duration::from_millis(5))).expect("queue lock").0;
        }
    }
}

/// The host and port of a URL, the unit of politeness.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .map(|u| format!("{}:{}", u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or(0)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_keep_their_order_and_hosts_are_spared() {
        let pool = Pool { workers: 4, per_host: 1, host_delay: Duration::ZERO };
        let items: Vec<(u32, &str)> = (0..12).map(|i| (i, if i % 2 == 0 { "a" } else { "b" })).collect();
        let active: [AtomicUsize; 2] = Default::default();
        let most = AtomicUsize::new(0);
        let out = pool.run(
            &items,
            |(_, h)| h.to_string(),
            |(i, h)| {
                let slot = &active[usize::from(*h == "b")];
                most.fetch_max(slot.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                slot.fetch_sub(1, Ordering::SeqCst);
                i * 10
            },
            |_, _| {},
        );
        assert_eq!(out, (0..12).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 1, "two jobs ran at once on one host");
    }

    #[test]
    fn host_delay_spaces_the_starts() {
        let pool = Pool { workers: 3, per_host: 3, host_delay: Duration::from_millis(40) };
        let starts = Mutex::new(Vec::new());
        pool.run(&[1, 2, 3], |_| "h".to_string(), |_| starts.lock().unwrap().push(Instant::now()), |_, _| {});
        let mut starts = starts.into_inner().unwrap();
        starts.sort();
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(35), "{:?}", pair[1] - pair[0]);
        }
    }
}
