//! Awaiting a tuple of futures concurrently without boxing them: what a
//! derived report's `collect` uses to run its checks side by side.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::{maybe_done, MaybeDone};

/// A tuple of futures that can be awaited together, yielding the tuple of
/// their outputs. Implemented for tuples of 1 to 16 futures (derived
/// reports nest tuples for more fields).
pub trait JoinTuple {
    /// The future awaiting them all.
    type Join: Future;

    /// Starts awaiting them all.
    fn join(self) -> Self::Join;
}

/// Awaits every future of the tuple concurrently; outputs keep their order.
pub fn join<T: JoinTuple>(futures: T) -> T::Join {
    futures.join()
}

/// The future of [`join`]: each future in place, polled until all are done.
#[derive(Debug)]
pub struct Join<T>(T);

macro_rules! join_tuple {
    ($($future:ident $name:ident),+) => {
        impl<$($future: Future),+> JoinTuple for ($($future,)+) {
            type Join = Join<($(MaybeDone<$future>,)+)>;

            fn join(self) -> Self::Join {
                let ($($name,)+) = self;
                Join(($(maybe_done($name),)+))
            }
        }

        impl<$($future: Future),+> Future for Join<($(MaybeDone<$future>,)+)> {
            type Output = ($($future::Output,)+);

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                // SAFETY: structural pinning. The futures are never moved out
                // of the pinned `Join` (only their outputs are taken), `Join`
                // has no `Drop` impl, and it is `Unpin` only if they all are.
                let ($($name,)+) = unsafe {
                    let ($($name,)+) = &mut self.get_unchecked_mut().0;
                    ($(Pin::new_unchecked($name),)+)
                };
                let mut all_done = true;
                $(let mut $name = $name; all_done &= $name.as_mut().poll(cx).is_ready();)+
                if !all_done {
                    return Poll::Pending;
                }
                Poll::Ready(($($name.take_output().expect("polled to completion just above"),)+))
            }
        }
    };
}

join_tuple!(A a);
join_tuple!(A a, B b);
join_tuple!(A a, B b, C c);
join_tuple!(A a, B b, C c, D d);
join_tuple!(A a, B b, C c, D d, E e);
join_tuple!(A a, B b, C c, D d, E e, F f);
join_tuple!(A a, B b, C c, D d, E e, F f, G g);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o);
join_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p);

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::{sleep, Instant};

    use super::join;

    #[tokio::test(start_paused = true)]
    async fn futures_run_concurrently_and_outputs_keep_their_order() {
        let start = Instant::now();
        let slow = async {
            sleep(Duration::from_millis(300)).await;
            "slow"
        };
        let fast = async {
            sleep(Duration::from_millis(100)).await;
            1
        };
        let (a, b, (c,)) = join((slow, fast, join((async { 'c' },)))).await;
        assert_eq!((a, b, c), ("slow", 1, 'c'));
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }

    #[test]
    fn join_is_send_when_its_futures_are() {
        fn assert_send<T: Send>(_: T) {}
        assert_send(join((async { 1 }, async { "two" })));
    }
}
