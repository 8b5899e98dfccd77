//! Heartbeats, coalesced per agent and written in batches: one statement per batch, whatever
//! the number of agents in it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel::sql_types::{Array, Float4, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value, json};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::health::{DropReason, DroppedKind, DroppedRecords};
use slimrmm_domain::telemetry::{HeartbeatFlush, HeartbeatSink, ReceivedHeartbeat};
use uuid::Uuid;

use crate::Database;
use crate::error::query_error;

/// What will be written for one agent: its latest heartbeat, with the delta-sent blocks of
/// every heartbeat since the last write merged in.
#[derive(Debug, Clone)]
struct Pending {
    latest: ReceivedHeartbeat,
    blocks: Map<String, Value>,
}

/// The batched heartbeat writer: [`HeartbeatSink::submit`] only records in memory;
/// [`HeartbeatSink::flush`] writes (the gateway calls it every interval).
///
/// One agent's row can never block the others': a batch the database refuses is split in
/// halves until the refused rows are found, and those alone are dropped (logged and counted
/// in [`DroppedRecords`]) once the others were written. While the database is unavailable, or
/// refuses every row, the batch is kept whole; a flush that is cancelled keeps what it had not
/// written.
#[derive(Clone)]
pub struct HeartbeatWriter {
    db: Database,
    pending: Arc<Mutex<HashMap<AgentId, Pending>>>,
    dropped: DroppedRecords,
}

#[async_trait]
impl HeartbeatSink for HeartbeatWriter {
    fn submit(&self, heartbeat: ReceivedHeartbeat) {
        let mut pending = self.pending.lock().expect("heartbeat buffer");
        let blocks: Map<String, Value> = heartbeat
            .heartbeat
            .blocks
            .iter()
            .map(|(block, value)| (block.as_str().to_owned(), value.clone()))
            .collect();
        match pending.get_mut(&heartbeat.agent) {
            Some(entry) => {
                entry.blocks.extend(blocks);
                let earlier = std::mem::replace(&mut entry.latest, heartbeat);
                // What the newer heartbeat leaves out (a minimal one has no stats), the earlier
                // one still says.
                let (latest, earlier) = (&mut entry.latest.heartbeat, earlier.heartbeat);
                if latest.stats.is_none() {
                    latest.stats = earlier.stats;
                    latest.sample = earlier.sample;
                }
                latest.agent_version = latest.agent_version.take().or(earlier.agent_version);
                latest.external_ip = latest.external_ip.take().or(earlier.external_ip);
                latest.serial_number = latest.serial_number.take().or(earlier.serial_number);
            }
            None => {
                pending.insert(
                    heartbeat.agent,
                    Pending {
                        latest: heartbeat,
                        blocks,
                    },
                );
            }
        }
    }

    async fn flush(&self) -> Result<HeartbeatFlush, PortError> {
        self.write_pending().await
    }
}

/// A flush under way: what is still to write and the rows refused so far. Dropped (at the end,
/// or when the flush is cancelled), it puts them back in the buffer.
struct InFlight<'a> {
    writer: &'a HeartbeatWriter,
    todo: Vec<Vec<(AgentId, Pending)>>,
    refused: Vec<(AgentId, Pending)>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let left = self.todo.drain(..).flatten().chain(self.refused.drain(..));
        self.writer.keep(left);
    }
}

/// The columns of one batch, as arrays.
#[derive(Default)]
struct Columns {
    uuids: Vec<Uuid>,
    seen: Vec<DateTime<Utc>>,
    kinds: Vec<String>,
    versions: Vec<Option<String>>,
    ips: Vec<Option<String>>,
    serials: Vec<Option<String>>,
    stats: Vec<Option<Value>>,
    blocks: Vec<Value>,
    cpu: Vec<Option<f32>>,
    memory: Vec<Option<f32>>,
    disks: Vec<Value>,
    minutes: Vec<DateTime<Utc>>,
}

impl Columns {
    fn push(&mut self, entry: Pending) {
        let heartbeat = entry.latest.heartbeat;
        let sample = heartbeat.sample.unwrap_or_default();
        self.uuids.push(entry.latest.agent.0);
        self.seen.push(entry.latest.at);
        self.minutes.push(
            entry
                .latest
                .at
                .duration_trunc(TimeDelta::minutes(1))
                .unwrap_or(entry.latest.at),
        );
        self.kinds.push(heartbeat.kind.as_str().to_owned());
        self.versions
            .push(heartbeat.agent_version.map(|v| v.to_string()));
        self.ips.push(heartbeat.external_ip);
        self.serials.push(heartbeat.serial_number);
        self.stats.push(heartbeat.stats);
        self.blocks.push(Value::Object(entry.blocks));
        self.cpu.push(sample.cpu_percent);
        self.memory.push(sample.memory_percent);
        self.disks.push(Value::Array(
            sample
                .disks
                .into_iter()
                .map(|disk| json!({"mountpoint": disk.mountpoint, "used_percent": disk.used_percent}))
                .collect(),
        ));
    }
}

const FLUSH: &str = "
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::jsonb[], $8::jsonb[], $9::real[], $10::real[], $11::jsonb[], $12::timestamptz[])
        AS t(uuid, seen_at, kind, agent_version, external_ip, serial_number, stats, blocks, cpu, memory, disks, minute)
),
live AS (
    SELECT i.* FROM input i JOIN agents a ON a.uuid = i.uuid WHERE a.deleted_at IS NULL
),
state AS (
    INSERT INTO agent_state (agent_uuid, last_heartbeat_at, heartbeat_kind, stats, blocks, updated_at)
    SELECT uuid, seen_at, kind, stats, blocks, seen_at FROM live
    ON CONFLICT (agent_uuid) DO UPDATE SET
        last_heartbeat_at = EXCLUDED.last_heartbeat_at,
        heartbeat_kind = EXCLUDED.heartbeat_kind,
        stats = coalesce(EXCLUDED.stats, agent_state.stats),
        blocks = agent_state.blocks || EXCLUDED.blocks,
        updated_at = EXCLUDED.updated_at
),
metrics AS (
    INSERT INTO agent_metrics (agent_uuid, minute, cpu_percent, memory_percent, disks)
    SELECT uuid, minute, cpu, memory, disks FROM live WHERE cpu IS NOT NULL OR memory IS NOT NULL
    ON CONFLICT (agent_uuid, minute) DO UPDATE SET
        cpu_percent = coalesce(EXCLUDED.cpu_percent, agent_metrics.cpu_percent),
        memory_percent = coalesce(EXCLUDED.memory_percent, agent_metrics.memory_percent),
        disks = CASE WHEN EXCLUDED.disks = '[]'::jsonb THEN agent_metrics.disks ELSE EXCLUDED.disks END
),
stale AS (
    -- The agents row changes at most once a minute per agent (its indexes are costly to touch),
    -- or when a reported fact changed; an agent marked offline is reported back (whether it is
    -- online again is the gateway's decision, made through the presence port).
    SELECT a.uuid, a.status FROM agents a JOIN live l ON l.uuid = a.uuid
    WHERE a.status = 'offline'
       OR a.last_seen_at IS NULL OR a.last_seen_at < l.seen_at - interval '60 seconds'
       OR (l.agent_version IS NOT NULL AND l.agent_version <> a.agent_version)
       OR (l.external_ip IS NOT NULL AND l.external_ip IS DISTINCT FROM a.external_ip)
       OR (l.serial_number IS NOT NULL AND l.serial_number IS DISTINCT FROM a.serial_number)
),
touched AS (
    UPDATE agents a SET
        last_seen_at = l.seen_at,
        agent_version = coalesce(l.agent_version, a.agent_version),
        external_ip = coalesce(l.external_ip, a.external_ip),
        serial_number = coalesce(l.serial_number, a.serial_number)
    FROM live l JOIN stale s ON s.uuid = l.uuid
    WHERE a.uuid = l.uuid
    RETURNING a.uuid, s.status AS previous
)
SELECT uuid FROM touched WHERE previous = 'offline'";

#[derive(diesel::QueryableByName)]
struct Back {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    uuid: Uuid,
}

impl HeartbeatWriter {
    /// An empty writer to `db`, counting what it drops in `dropped`.
    pub fn new(db: Database, dropped: DroppedRecords) -> Self {
        Self {
            db,
            pending: Arc::default(),
            dropped,
        }
    }

    /// How many agents wait to be written.
    pub fn pending(&self) -> usize {
        self.pending.lock().expect("heartbeat buffer").len()
    }

    /// Writes what is pending, in one statement unless the database refuses some of its rows.
    /// While the database is unavailable what was not written is kept for the next try
    /// (newer heartbeats win).
    async fn write_pending(&self) -> Result<HeartbeatFlush, PortError> {
        let batch: Vec<(AgentId, Pending)> =
            std::mem::take(&mut *self.pending.lock().expect("heartbeat buffer"))
                .into_iter()
                .collect();
        if batch.is_empty() {
            return Ok(HeartbeatFlush::default());
        }
        // Whatever is not written when this ends, or when the flush is cancelled (a shutdown
        // aborting the task mid-write), goes back to the buffer.
        let mut flight = InFlight {
            writer: self,
            todo: vec![batch],
            refused: Vec::new(),
        };
        let mut flushed = HeartbeatFlush::default();
        // Batches to write, the last first; a refused one comes back as its two halves.
        while let Some(chunk) = flight.todo.last() {
            let mut columns = Columns::default();
            for (_, entry) in chunk {
                columns.push(entry.clone());
            }
            let outcome = write(&self.db, columns).await;
            let chunk = flight.todo.pop().unwrap_or_default();
            match outcome {
                Ok(offline) => {
                    flushed.written += chunk.len();
                    let offline = offline.into_iter().map(AgentId);
                    flushed.heard_while_offline.extend(offline);
                }
                Err(error @ PortError::Unavailable(_)) => {
                    flight.todo.push(chunk);
                    return Err(error);
                }
                Err(error) if chunk.len() == 1 => {
                    tracing::warn!(agent = %chunk[0].0, error = ?error, "the database refused an agent's heartbeat");
                    flight.refused.extend(chunk);
                }
                Err(error) => {
                    tracing::warn!(rows = chunk.len(), error = ?error, "a heartbeat batch was refused; writing it in halves");
                    let mut first = chunk;
                    let second = first.split_off(first.len() / 2);
                    flight.todo.push(second);
                    flight.todo.push(first);
                }
            }
        }
        // A row is dropped only when the database demonstrably takes the others: when every
        // row was refused the fault is the database's, and everything is kept for next time.
        if flushed.written == 0 && !flight.refused.is_empty() {
            return Err(PortError::unexpected(anyhow::anyhow!(
                "the database refused every heartbeat of the batch; kept for the next try"
            )));
        }
        for (agent, _) in flight.refused.drain(..) {
            tracing::error!(%agent, "the database refused an agent's heartbeat that others' were written with; dropped");
            self.dropped
                .record(DroppedKind::Heartbeat, DropReason::Unstorable);
        }
        Ok(flushed)
    }

    /// Puts unwritten entries back, unless a newer heartbeat of the agent arrived meanwhile.
    fn keep(&self, entries: impl Iterator<Item = (AgentId, Pending)>) {
        let mut pending = self.pending.lock().expect("heartbeat buffer");
        for (agent, entry) in entries {
            pending.entry(agent).or_insert(entry);
        }
    }
}

async fn write(db: &Database, columns: Columns) -> Result<Vec<Uuid>, PortError> {
    let mut conn = db.conn().await?;
    let back: Vec<Back> = diesel::sql_query(FLUSH)
        .bind::<Array<diesel::sql_types::Uuid>, _>(columns.uuids)
        .bind::<Array<Timestamptz>, _>(columns.seen)
        .bind::<Array<Text>, _>(columns.kinds)
        .bind::<Array<Nullable<Text>>, _>(columns.versions)
        .bind::<Array<Nullable<Text>>, _>(columns.ips)
        .bind::<Array<Nullable<Text>>, _>(columns.serials)
        .bind::<Array<Nullable<Jsonb>>, _>(columns.stats)
        .bind::<Array<Jsonb>, _>(columns.blocks)
        .bind::<Array<Nullable<Float4>>, _>(columns.cpu)
        .bind::<Array<Nullable<Float4>>, _>(columns.memory)
        .bind::<Array<Jsonb>, _>(columns.disks)
        .bind::<Array<Timestamptz>, _>(columns.minutes)
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    Ok(back.into_iter().map(|row| row.uuid).collect())
}
