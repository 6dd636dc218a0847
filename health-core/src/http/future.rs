//! The response future of the hyper listener, the tower service and the
//! axum routes: ready at once when a probe's answer is kept, boxed only
//! when checks run first.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Response;
use http_body_util::Full;

use super::respond::Routed;
use super::HealthHttp;
use crate::run::check::BoxFuture;

impl HealthHttp {
    /// The answer to a request routed to `routed`, as a future that is
    /// ready at once when the answer needs no wait (a probe's kept answer,
    /// an error), and boxed only when checks must run first: what the
    /// listener and the tower service return.
    pub(super) fn answer_future(self: &Arc<Self>, routed: Routed) -> ResponseFuture {
        match routed {
            Routed::Now(reply) => ResponseFuture::ready(reply.into_response()),
            later => {
                let http = Arc::clone(self);
                ResponseFuture::later(Box::pin(async move { http.finish(later).await.into_response() }))
            }
        }
    }
}

/// The response future of the tower service and the hyper listener: ready
/// at once when the answer was kept (a probe between two changes of state,
/// or an error), boxed when checks run first.
pub struct ResponseFuture {
    state: State,
}

/// Where a [`ResponseFuture`] stands.
enum State {
    Ready(Option<Response<Full<Bytes>>>),
    Later(BoxFuture<'static, Response<Full<Bytes>>>),
}

impl ResponseFuture {
    fn ready(response: Response<Full<Bytes>>) -> ResponseFuture {
        ResponseFuture {
            state: State::Ready(Some(response)),
        }
    }

    fn later(answer: BoxFuture<'static, Response<Full<Bytes>>>) -> ResponseFuture {
        ResponseFuture {
            state: State::Later(answer),
        }
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Full<Bytes>>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Ready(response) => {
                Poll::Ready(Ok(response.take().expect("ResponseFuture polled after it completed")))
            }
            State::Later(answer) => answer.as_mut().poll(cx).map(Ok),
        }
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Later(_) => "later",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}
