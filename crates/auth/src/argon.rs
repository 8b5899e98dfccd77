use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash as Phc, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use slimrmm_domain::PortError;
use slimrmm_domain::user::{Password, PasswordHash, PasswordHasher};
use tracing::Instrument;

/// The most memory a stored hash may ask for (256 MiB), and the most passes and lanes: larger
/// costs are corrupt or hostile data, not a reason to allocate or to tie up a worker.
const MAX_STORED_KIB: u32 = 256 * 1024;
const MAX_STORED_PASSES: u32 = 16;
const MAX_STORED_LANES: u32 = 8;

/// How many hashes may wait per worker before new ones are refused.
const QUEUE_PER_WORKER: usize = 2;

/// argon2id with OWASP's recommended parameters (19 MiB, 2 iterations, 1 lane).
///
/// Hashing runs on a small pool of dedicated threads, one per core (at most 8), each reusing
/// its own 19 MiB work area, behind a short queue (two per worker). When every worker is busy
/// and the queue is full, a hash is refused at once with [`PortError::Busy`] (the API answers
/// 503 with `Retry-After`), so a sign-in flood from any number of addresses costs a fixed
/// amount of memory and leaves the async workers, and every other request, alone.
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
    jobs: SyncSender<Job>,
}

struct Inner {
    params: Params,
    /// A hash of a random password, verified against when the user is unknown.
    dummy: Phc,
}

/// Work for a hashing thread, given that thread's reusable work area.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Starts `workers` hashing threads fed by a queue of `queue` jobs. The threads end when the
/// last sender is dropped.
fn start_pool(workers: usize, queue: usize) -> anyhow::Result<SyncSender<Job>> {
    let (jobs, incoming) = mpsc::sync_channel::<Job>(queue);
    let incoming = Arc::new(Mutex::new(incoming));
    for index in 0..workers {
        let incoming = Arc::clone(&incoming);
        std::thread::Builder::new()
            .name(format!("argon2-{index}"))
            .spawn(move || {
                let mut memory = Vec::new();
                loop {
                    let job = match incoming.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(&mut memory),
                        Err(_) => return,
                    }
                }
            })
            .context("starting a password hashing thread")?;
    }
    Ok(jobs)
}

/// Computes an argon2 output into `out`, in `memory` (grown to the size `params` need).
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let computed = Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password,
        salt,
        out,
        &mut memory[..blocks],
    );
    // A stored hash with a larger cost than today's grew the work area: give it back, so each
    // worker keeps only what today's parameters need.
    let usual = Params::default().block_count();
    if memory.len() > usual {
        memory.truncate(usual);
        memory.shrink_to_fit();
    }
    computed
}

/// A new PHC string for `password` with a fresh salt.
fn new_hash(params: &Params, password: &[u8], memory: &mut Vec<Block>) -> anyhow::Result<String> {
    let salt = Salt::generate();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        password,
        &salt,
        &mut out,
        memory,
    )
    .map_err(|error| anyhow::anyhow!("argon2 hashing failed: {error}"))?;
    let phc = Phc {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)
            .map_err(|error| anyhow::anyhow!("argon2 parameters: {error}"))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|error| anyhow::anyhow!("{error}"))?),
    };
    Ok(phc.to_string())
}

impl Inner {
    /// Whether `password` matches `hash` (in constant time).
    fn matches(&self, password: &[u8], hash: &Phc, memory: &mut Vec<Block>) -> bool {
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
            return false;
        };
        let version = match hash.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(version)) => version,
            Some(Err(_)) => return false,
        };
        let Ok(params) = Params::try_from(hash) else {
            return false;
        };
        if params.m_cost() > MAX_STORED_KIB
            || params.t_cost() > MAX_STORED_PASSES
            || params.p_cost() > MAX_STORED_LANES
        {
            tracing::error!(
                kib = params.m_cost(),
                passes = params.t_cost(),
                lanes = params.p_cost(),
                "a stored password hash asks for too much work; treated as not matching"
            );
            return false;
        }
        let mut out = vec![0u8; expected.len()];
        if compute(
            algorithm, version, &params, password, salt, &mut out, memory,
        )
        .is_err()
        {
            return false;
        }
        Output::new(&out).is_ok_and(|computed| computed == *expected)
    }
}

impl Argon2Hasher {
    /// Builds the hasher with one hashing thread per core (at most 8), computing its dummy
    /// hash once (~25 ms).
    pub fn new() -> anyhow::Result<Self> {
        let workers = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, 8);
        Self::with_workers(workers, workers * QUEUE_PER_WORKER)
    }

    /// A hasher with `workers` threads and room for `queue` waiting hashes.
    pub fn with_workers(workers: usize, queue: usize) -> anyhow::Result<Self> {
        let params = Params::new(
            Params::DEFAULT_M_COST,
            Params::DEFAULT_T_COST,
            Params::DEFAULT_P_COST,
            None,
        )
        .context("argon2 parameters")?;
        let dummy = new_hash(
            &params,
            crate::random_url_safe(24).as_bytes(),
            &mut Vec::new(),
        )
        .context("computing the dummy hash")?;
        let dummy = Phc::new(&dummy).context("reading the dummy hash")?;
        Ok(Self {
            inner: Arc::new(Inner { params, dummy }),
            jobs: start_pool(workers.max(1), queue)?,
        })
    }

    /// Runs `work` on a hashing thread; refuses at once when every worker is busy and the
    /// queue is full.
    async fn on_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, PortError> {
        let inner = Arc::clone(&self.inner);
        let span = tracing::Span::current();
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let result = span.in_scope(|| work(&inner, memory));
            let _ = answer.send(result);
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(PortError::Busy(anyhow::anyhow!(
                    "every password hashing worker is busy and the queue is full"
                )));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(PortError::unexpected(anyhow::anyhow!(
                    "the password hashing threads have stopped"
                )));
            }
        }
        answered
            .instrument(tracing::debug_span!("argon2"))
            .await
            .map_err(|_| PortError::unexpected(anyhow::anyhow!("a password hashing thread died")))
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, PortError> {
        let password = password.clone();
        let phc = self
            .on_pool(move |inner, memory| {
                new_hash(&inner.params, password.expose().as_bytes(), memory)
            })
            .await?
            .map_err(PortError::unexpected)?;
        Ok(PasswordHash::new(phc))
    }

    async fn verify(&self, password: &Password, hash: &PasswordHash) -> Result<bool, PortError> {
        let stored = Phc::new(hash.as_str()).map_err(|error| {
            PortError::unexpected(anyhow::anyhow!(
                "stored password hash is malformed: {error}"
            ))
        })?;
        let password = password.clone();
        self.on_pool(move |inner, memory| {
            inner.matches(password.expose().as_bytes(), &stored, memory)
        })
        .await
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), PortError> {
        let password = password.clone();
        self.on_pool(move |inner, memory| {
            inner.matches(password.expose().as_bytes(), &inner.dummy, memory);
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use argon2::password_hash::PasswordHasher as _;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id_with_owasp_parameters() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify(&password, &hash).await.unwrap());
        let wrong = Password::parse("incorrect horse battery").unwrap();
        assert!(!hasher.verify(&wrong, &hash).await.unwrap());
        assert!(hasher.verify_dummy(&password).await.is_ok());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        for params in [
            Params::new(19_456, 2, 1, None).unwrap(),
            Params::new(4_096, 3, 1, Some(16)).unwrap(),
        ] {
            let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(password.expose().as_bytes())
                .unwrap()
                .to_string();
            let reference = PasswordHash::new(reference);
            assert!(hasher.verify(&password, &reference).await.unwrap());
            let wrong = Password::parse("incorrect horse battery").unwrap();
            assert!(!hasher.verify(&wrong, &reference).await.unwrap());
        }
    }

    #[tokio::test]
    async fn the_same_password_gets_a_fresh_salt() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        assert_ne!(
            hasher.hash(&password).await.unwrap(),
            hasher.hash(&password).await.unwrap()
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_or_no_match_never_an_allocation() {
        let hasher = Argon2Hasher::new().unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        assert!(
            hasher
                .verify(&password, &PasswordHash::new("garbage"))
                .await
                .is_err()
        );
        // 4 GiB of memory asked for by a tampered hash: refused, not allocated.
        let greedy = PasswordHash::new(
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        );
        assert!(!hasher.verify(&password, &greedy).await.unwrap());
    }

    #[tokio::test]
    async fn a_flood_beyond_the_workers_and_queue_is_refused_at_once() {
        let hasher = Argon2Hasher::with_workers(1, 1).unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        // Hold the only worker.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let holder = hasher.clone();
        let blocked = tokio::spawn(async move {
            holder
                .on_pool(move |_, _| {
                    let _ = held.recv_timeout(Duration::from_secs(10));
                })
                .await
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let queued = {
            let (hasher, password, hash) = (hasher.clone(), password.clone(), hash.clone());
            tokio::spawn(async move { hasher.verify(&password, &hash).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = hasher.verify(&password, &hash).await;
        assert!(matches!(refused, Err(PortError::Busy(_))), "{refused:?}");
        release.send(()).unwrap();
        blocked.await.unwrap().unwrap();
        assert!(queued.await.unwrap().unwrap(), "the queued one still runs");
        assert!(hasher.verify(&password, &hash).await.unwrap());
    }
}
