//! A deadline on request bodies: once its head has arrived, a request's whole body must arrive
//! within `HttpSettings::body_timeout`, or reading it fails and the answer is 408. Without it a
//! body trickled in at a byte a second holds its connection (and a file descriptor) forever.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, header};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{Error, HttpMessage};
use futures_util::Stream;
use tokio::time::{Instant, Sleep, sleep_until};

use crate::AppState;

/// A body stream that fails once its deadline passes.
struct Deadline {
    inner: Payload,
    expiry: Pin<Box<Sleep>>,
    expired: bool,
    /// Set once the whole body was read.
    finished: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            if item.is_none() {
                self.finished.set(true);
            }
            return Poll::Ready(item);
        }
        if self.expiry.as_mut().poll(cx).is_ready() {
            self.expired = true;
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}

/// Whether the request announces a body.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|length| length.trim() != "0")
}

/// Puts the deadline on every request body except WebSocket upgrades (whose "body" is the
/// connection itself). An answer given before the whole body arrived (the deadline passed, or
/// the handler refused the request without reading it) closes the connection: otherwise the
/// server would go on reading what the client trickles in, with no deadline at all.
pub(crate) async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let timeout = req
        .app_data::<Data<AppState>>()
        .map(|state| state.settings.body_timeout);
    let Some(timeout) = timeout.filter(|_| has_body(&req)) else {
        return next.call(req).await;
    };
    if req.headers().contains_key(header::UPGRADE) {
        return next.call(req).await;
    }
    let finished = Rc::new(Cell::new(false));
    let deadline = Deadline {
        inner: req.take_payload(),
        expiry: Box::pin(sleep_until(Instant::now() + timeout)),
        expired: false,
        finished: finished.clone(),
    };
    req.set_payload(Payload::from(
        Box::pin(deadline) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
    let mut response = next.call(req).await?;
    if !finished.get() {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}
