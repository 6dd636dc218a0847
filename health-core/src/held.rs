//! The connections a listener holds under its cap, shared by the hyper
//! listener and the gRPC listener: at the cap, a new connection closes the
//! oldest one that is not answering anything (idle, or still sending its
//! request head or HTTP/2 preface), so silent clients cannot lock others out.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

/// How many requests (HTTP/1) or streams (gRPC) a connection is answering;
/// a connection at zero may be closed to make room.
pub(crate) type Busy = Arc<AtomicUsize>;

/// Closes a held connection from outside its task.
pub(crate) type Close = Box<dyn FnOnce() + Send>;

type Connections = Arc<Mutex<BTreeMap<u64, HeldConnection>>>;

/// The connections a listener holds, oldest first, each with how much it is
/// answering right now (while it answers, it is never closed to make room).
pub(crate) struct Held {
    cap: usize,
    connections: Connections,
    opened: u64,
}

struct HeldConnection {
    close: Close,
    busy: Busy,
}

impl Held {
    pub(crate) fn new(cap: usize) -> Held {
        Held {
            cap,
            connections: Arc::default(),
            opened: 0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, HeldConnection>> {
        self.connections.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one more connection: under the cap, nothing to do; at
    /// it, closes the oldest connection answering nothing; `false` when
    /// every one is answering.
    pub(crate) fn make_room(&self) -> bool {
        let mut connections = self.lock();
        if connections.len() < self.cap {
            return true;
        }
        let oldest_idle = connections
            .iter()
            .find(|(_, held)| held.busy.load(Ordering::Acquire) == 0)
            .map(|(&number, _)| number);
        match oldest_idle.and_then(|number| connections.remove(&number)) {
            Some(evicted) => {
                (evicted.close)();
                true
            }
            None => false,
        }
    }

    /// Holds a connection that [`Held::make_room`] made room for, `busy`
    /// counting what it answers. `open` starts it, given the [`Leave`] that
    /// takes it out of the set when dropped, and returns how to close it.
    pub(crate) fn hold<T>(&mut self, busy: Busy, open: impl FnOnce(Leave) -> (T, Close)) -> T {
        self.opened += 1;
        let number = self.opened;
        let leave = Leave {
            connections: Arc::downgrade(&self.connections),
            number,
        };
        // Locked while it opens: it cannot leave before it is in.
        let mut connections = self.lock();
        let (opened, close) = open(leave);
        connections.insert(number, HeldConnection { close, busy });
        opened
    }

    /// Closes every connection still open.
    #[cfg(feature = "server")]
    pub(crate) fn close_all(&self) {
        for (_, held) in std::mem::take(&mut *self.lock()) {
            (held.close)();
        }
    }
}

/// Takes a connection out of its listener's set when dropped.
pub(crate) struct Leave {
    connections: Weak<Mutex<BTreeMap<u64, HeldConnection>>>,
    number: u64,
}

impl Drop for Leave {
    fn drop(&mut self) {
        if let Some(connections) = self.connections.upgrade() {
            // Dropped outside the lock: closing may drop another `Leave`.
            let left = connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&self.number);
            drop(left);
        }
    }
}

/// A request or stream being answered on a connection, for as long as it lives.
pub(crate) struct Answering(Busy);

impl Answering {
    pub(crate) fn new(busy: &Busy) -> Answering {
        busy.fetch_add(1, Ordering::AcqRel);
        Answering(Arc::clone(busy))
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
