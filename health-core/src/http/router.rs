//! The probes as an axum `Router`, to merge into an application.

use std::sync::Arc;

use axum::extract::Request;
use axum::routing::any;
use axum::Router;

use super::HealthHttp;

impl<S: Send + Sync + 'static> HealthHttp<S> {
    /// An axum router answering the four endpoints (the deep one only with
    /// a bearer token: a public app is no admin listener), mergeable into
    /// any app whatever its state type.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use health_core::Health;
    ///
    /// # fn app() -> Result<Router, health_core::BuildError> {
    /// let health = Health::builder(()).build()?;
    /// let app: Router = Router::new()
    ///     .route("/", get(|| async { "hello" }))
    ///     .merge(health.http().router());
    /// # Ok(app) }
    /// ```
    pub fn router<St: Clone + Send + Sync + 'static>(self) -> Router<St> {
        let http = Arc::new(self);
        let paths = Arc::clone(&http.paths);
        let mut router = Router::new();
        // `/metrics` only when served, so an app's own route does not clash.
        let metrics = http.metrics.is_some().then_some(paths.metrics.as_str());
        for path in paths.health().into_iter().chain(metrics) {
            let http = Arc::clone(&http);
            router = router.route(
                path,
                any(move |request: Request| async move {
                    let (head, _body) = request.into_parts();
                    http.respond(&head).await
                }),
            );
        }
        router
    }
}
