//! Idempotent requests: a client that retries a command after losing the answer sends the same
//! `Idempotency-Key` and gets the first answer again, never a second command.
//!
//! A key belongs to the user who sent it and is kept for [`RETENTION`] (24 hours). Its first
//! request is recorded as in progress before any work is done, so two copies racing each
//! other cannot both run; the answer is stored when the work ends. A key reused with a
//! different request is refused. When the first attempt failed in a way worth retrying (the
//! server's fault, or overload), the key is released so the retry can run.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::PortError;
use crate::clock::Clock;
use crate::user::UserId;

/// How long a key and its answer are kept.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// After this long, a request still recorded as in progress is taken to have died with its
/// server process: its outcome is unknown.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(5);

/// A client's key for one logical request: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to 255 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    /// The longest key.
    pub const MAX: usize = 255;

    /// Checks a key.
    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX
            && raw.bytes().all(|byte| byte.is_ascii_graphic());
        valid
            .then(|| Self(raw.to_owned()))
            .ok_or(InvalidIdempotencyKey)
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A digest of everything that makes a request what it is (method, path, body), so that a key
/// reused for another request is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

/// An answer as it was sent: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body's bytes.
    pub body: Vec<u8>,
}

/// What the store found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or expired): this request runs.
    New,
    /// The same request was answered before: answer this again.
    Replay(StoredAnswer),
    /// The same request is still running, since this instant.
    InProgress {
        /// When it started.
        since: DateTime<Utc>,
    },
    /// The key was used with a different request.
    Mismatch,
}

/// Where keys and their answers are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Records `key` as in progress unless a record younger than `expired_before` exists;
    /// otherwise says what that record is.
    async fn claim(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        fingerprint: Fingerprint,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<Claim, PortError>;

    /// Stores the answer of the request recorded by [`claim`](Self::claim).
    async fn complete(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        answer: &StoredAnswer,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// Forgets the key (its request failed in a way a retry may fix).
    async fn release(&self, user: UserId, key: &IdempotencyKey) -> Result<(), PortError>;
}

/// The outcome of starting a request with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Run the request, then [`IdempotencyService::finish`] it.
    Run,
    /// Answer this, as the first time.
    Replay(StoredAnswer),
    /// The same request is running: retry shortly.
    Running,
    /// The same request started long ago and never finished (its server process died): its
    /// outcome is unknown, and it is not run again.
    Unknown,
    /// The key was used with a different request.
    Reused,
}

/// Keys and answers.
#[derive(Clone)]
pub struct IdempotencyService {
    store: Arc<dyn IdempotencyStore>,
    clock: Arc<dyn Clock>,
}

impl IdempotencyService {
    /// Builds the service.
    pub fn new(store: Arc<dyn IdempotencyStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Starts `user`'s request `fingerprint` under `key`.
    pub async fn start(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        fingerprint: Fingerprint,
    ) -> Result<Start, PortError> {
        let now = self.clock.now();
        Ok(
            match self
                .store
                .claim(user, key, fingerprint, now, now - RETENTION)
                .await?
            {
                Claim::New => Start::Run,
                Claim::Replay(answer) => Start::Replay(answer),
                Claim::InProgress { since } if now - since > ABANDONED_AFTER => Start::Unknown,
                Claim::InProgress { .. } => Start::Running,
                Claim::Mismatch => Start::Reused,
            },
        )
    }

    /// Ends a request started with [`Start::Run`]: its answer is kept for retries, unless it is
    /// one a retry may change (a server error, overload, a rate limit), which releases the key.
    pub async fn finish(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        answer: &StoredAnswer,
    ) -> Result<(), PortError> {
        if answer.status >= 500 || answer.status == 429 {
            return self.store.release(user, key).await;
        }
        self.store
            .complete(user, key, answer, self.clock.now())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MockClock;
    use crate::fixtures::t0;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("8e3f-retry_1").is_ok());
        for bad in ["", "with space", "tab\t", "ünïcode", &"k".repeat(256)] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(InvalidIdempotencyKey),
                "{bad:?}"
            );
        }
    }

    fn service(claim: Claim) -> IdempotencyService {
        let mut store = MockIdempotencyStore::new();
        store
            .expect_claim()
            .returning(move |_, _, _, _, _| Ok(claim.clone()));
        store.expect_release().times(0..).returning(|_, _| Ok(()));
        store
            .expect_complete()
            .times(0..)
            .returning(|_, _, _, _| Ok(()));
        IdempotencyService::new(Arc::new(store), Arc::new(MockClock::fixed(t0())))
    }

    #[tokio::test]
    async fn a_claim_decides_whether_the_request_runs() {
        let key = IdempotencyKey::parse("k").unwrap();
        let print = Fingerprint([7; 32]);
        let answer = StoredAnswer {
            status: 202,
            body: b"{}".to_vec(),
        };
        for (claim, expected) in [
            (Claim::New, Start::Run),
            (Claim::Replay(answer.clone()), Start::Replay(answer)),
            (
                Claim::InProgress {
                    since: t0() - TimeDelta::seconds(3),
                },
                Start::Running,
            ),
            (
                Claim::InProgress {
                    since: t0() - TimeDelta::minutes(10),
                },
                Start::Unknown,
            ),
            (Claim::Mismatch, Start::Reused),
        ] {
            let started = service(claim).start(UserId(1), &key, print).await.unwrap();
            assert_eq!(started, expected);
        }
    }

    #[tokio::test]
    async fn answers_a_retry_could_change_release_the_key() {
        let key = IdempotencyKey::parse("k").unwrap();
        for (status, released) in [
            (202, false),
            (422, false),
            (404, false),
            (500, true),
            (503, true),
            (429, true),
        ] {
            let mut store = MockIdempotencyStore::new();
            store
                .expect_release()
                .times(usize::from(released))
                .returning(|_, _| Ok(()));
            store
                .expect_complete()
                .times(usize::from(!released))
                .returning(|_, _, _, _| Ok(()));
            let service =
                IdempotencyService::new(Arc::new(store), Arc::new(MockClock::fixed(t0())));
            let answer = StoredAnswer {
                status,
                body: Vec::new(),
            };
            service.finish(UserId(1), &key, &answer).await.unwrap();
        }
    }
}
