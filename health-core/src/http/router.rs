//! The probes as an axum `Router`, to merge into an application.

use std::sync::Arc;

use axum::extract::Request;
use axum::Router;

use super::HealthHttp;

impl HealthHttp {
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
        let mut router = Router::new();
        // `/metrics` only when served, so an app's own route does not clash;
        // a hidden deep endpoint not at all, so the app's 404 answers it.
        for path in http.mounted_paths() {
            let http = Arc::clone(&http);
            router = router.route_service(
                path,
                tower::service_fn(move |request: Request| {
                    let (head, _body) = request.into_parts();
                    http.answer_future(http.route(&head))
                }),
            );
        }
        router
    }
}
