//! One error type at the edge: users see a plain message; internals go to the log, never to them.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in to continue")]
    Unauthorised,
    #[error("you do not have permission to see this")]
    Forbidden,
    #[error("page not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    /// The thing asked for cannot happen in the state it is in (a published report edited).
    #[error("{0}")]
    Conflict(String),
    #[error("something went wrong")]
    Internal(#[from] throughcare_store::StoreError),
}

impl From<throughcare_core::time::OutOfRange> for AppError {
    fn from(e: throughcare_core::time::OutOfRange) -> Self {
        AppError::BadRequest(e.to_string())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorised => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Errors share one JSON shape on the API: `{"error": {"status": 404, "title": "..."}}`.
pub fn json_error(status: StatusCode, title: &str) -> Response {
    (status, Json(serde_json::json!({ "error": { "status": status.as_u16(), "title": title } }))).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            // The chain goes to the log; the user sees only that something went wrong.
            tracing::error!(error = %e, "request failed");
        }
        crate::pages::error_page(self.status(), &self.to_string())
    }
}
