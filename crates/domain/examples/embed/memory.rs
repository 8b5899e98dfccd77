//! MemoryDb: one in-memory "database" implementing every storage port, with its list helpers.

mod agents;
mod executions;
mod gateway;
mod library;
mod outbox;
mod users;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::anyhow;
use chrono::{DateTime, Utc};
use serde_json::Value;

use slimrmm_domain::PortError;
use slimrmm_domain::agent::{Agent, AgentId, Hostname, StoredAgent};
use slimrmm_domain::alert::Alert;
use slimrmm_domain::auth::{Session, TokenDigest};
use slimrmm_domain::enrollment::{CertificateRecord, EnrollmentToken};
use slimrmm_domain::execution::{
    ConnectionId, Execution, ExecutionStatus, NewExecution, ProcessId,
};
use slimrmm_domain::inventory::{Inventory, InventoryKind};
use slimrmm_domain::list::{ListQuery, Page, SearchTerm, SortOrder};
use slimrmm_domain::notification::{
    Channel, DeliveryId, DeliveryStatus, Integration, Notification, NotificationId,
};
use slimrmm_domain::policy::{Policy, PolicyRun, PolicyRunId, RunProgress, RunSummary};
use slimrmm_domain::script::Script;
use slimrmm_domain::telemetry::ReceivedHeartbeat;
use slimrmm_domain::user::{Email, Role, User, UserCredentials, UserId, UserWriteError, Username};

/// Every table, behind one lock: each port method holds it for its whole body, so each is one
/// transaction, and the notification a change causes is written with the change.
#[derive(Default)]
pub(crate) struct MemoryDb {
    tables: Mutex<Tables>,
}

impl MemoryDb {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct Tables {
    ids: Sequences,
    users: Vec<UserCredentials>,
    sessions: Vec<Session>,
    enrollment_tokens: Vec<TokenRow>,
    agents: Vec<AgentRow>,
    certificates: Vec<CertificateRecord>,
    last_heartbeat: HashMap<AgentId, ReceivedHeartbeat>,
    inventories: Vec<(AgentId, InventoryKind, Inventory)>,
    alerts: Vec<Alert>,
    executions: Vec<ExecutionRow>,
    scripts: Vec<Script>,
    policies: Vec<Policy>,
    policy_runs: Vec<PolicyRun>,
    notifications: Vec<NotificationRow>,
    deliveries: Vec<DeliveryRow>,
    integrations: Vec<Integration>,
}

/// Numeric ids, one sequence per table, as a database hands them out.
#[derive(Default)]
struct Sequences {
    users: i64,
    tokens: i64,
    alerts: i64,
    notifications: i64,
    deliveries: i64,
}

fn next(sequence: &mut i64) -> i64 {
    *sequence += 1;
    *sequence
}

struct TokenRow {
    token: EnrollmentToken,
    digest: TokenDigest,
}

struct AgentRow {
    stored: StoredAgent,
    approved_by: Option<UserId>,
    deleted_at: Option<DateTime<Utc>>,
}

struct ExecutionRow {
    execution: Execution,
    /// How long the agent has once the command is sent.
    timeout_seconds: u32,
    /// The connection it was sent on, and that connection's server process.
    sent_on: Option<(ConnectionId, ProcessId)>,
}

struct NotificationRow {
    id: NotificationId,
    notification: Notification,
    created_at: DateTime<Utc>,
    routed_at: Option<DateTime<Utc>>,
}

struct DeliveryRow {
    id: DeliveryId,
    notification: NotificationId,
    channel: Channel,
    status: DeliveryStatus,
    attempts: u32,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
}

impl Tables {
    /// Writes a notification to the outbox. Repositories call it inside their own
    /// "transaction" (while holding the lock), never on their own.
    fn enqueue(&mut self, notification: Notification, at: DateTime<Utc>) {
        let id = NotificationId(next(&mut self.ids.notifications));
        self.notifications.push(NotificationRow {
            id,
            notification,
            created_at: at,
            routed_at: None,
        });
    }

    fn live_agent(&self, id: AgentId) -> Option<&AgentRow> {
        self.agents
            .iter()
            .find(|row| row.stored.agent.id == id && row.deleted_at.is_none())
    }

    fn live_agent_mut(&mut self, id: AgentId) -> Option<&mut AgentRow> {
        self.agents
            .iter_mut()
            .find(|row| row.stored.agent.id == id && row.deleted_at.is_none())
    }

    fn hostname(&self, id: AgentId) -> Option<Hostname> {
        self.agents
            .iter()
            .find(|row| row.stored.agent.id == id)
            .map(|row| row.stored.agent.facts.hostname.clone())
    }

    fn revoke_certificates(&mut self, agent: AgentId, now: DateTime<Utc>) {
        for record in &mut self.certificates {
            if record.agent == agent && record.revoked_at.is_none() {
                record.revoked_at = Some(now);
            }
        }
    }

    /// When the agent was last heard from: its last heartbeat, else its connection, else its
    /// approval or registration.
    fn heard_from(&self, agent: &Agent) -> DateTime<Utc> {
        self.last_heartbeat
            .get(&agent.id)
            .map(|heartbeat| heartbeat.at)
            .or(agent.last_seen_at)
            .or(agent.approved_at)
            .unwrap_or(agent.created_at)
    }

    fn user_conflict(
        &self,
        except: Option<UserId>,
        username: Option<&Username>,
        email: Option<&Email>,
    ) -> Result<(), UserWriteError> {
        let others = || {
            self.users
                .iter()
                .map(|row| &row.user)
                .filter(move |user| Some(user.id) != except)
        };
        if let Some(name) = username
            && others().any(|user| same_text(user.username.as_str(), name.as_str()))
        {
            return Err(UserWriteError::UsernameTaken);
        }
        if let Some(email) = email
            && others().any(|user| {
                user.email
                    .as_ref()
                    .is_some_and(|taken| same_text(taken.as_str(), email.as_str()))
            })
        {
            return Err(UserWriteError::EmailTaken);
        }
        Ok(())
    }

    /// True when `id` is the only active admin.
    fn is_last_active_admin(&self, id: UserId) -> bool {
        let active_admin = |user: &User| user.role == Role::Admin && user.is_active;
        let mut admins = self
            .users
            .iter()
            .map(|row| &row.user)
            .filter(|u| active_admin(u));
        admins.clone().any(|user| user.id == id) && admins.all(|user| user.id == id)
    }

    fn insert_executions(&mut self, new: &[NewExecution]) -> Result<Vec<Execution>, PortError> {
        // All or none: refuse the whole batch before storing any of it.
        if new
            .iter()
            .any(|n| self.executions.iter().any(|row| row.execution.id == n.id))
        {
            return Err(PortError::unexpected(anyhow!("duplicate execution id")));
        }
        let created: Vec<Execution> = new
            .iter()
            .map(|n| Execution {
                id: n.id,
                agent: n.agent,
                action: n.action.clone(),
                params: n.params.clone(),
                mutating: n.mutating,
                status: ExecutionStatus::Queued,
                created_by: n.created_by,
                created_at: n.created_at,
                expires_at: n.expires_at,
                sent_at: None,
                deadline_at: None,
                completed_at: None,
                attempts: 0,
                result: None,
                error: None,
                truncated: false,
                script: n.script,
                policy_run: n.policy_run,
            })
            .collect();
        for (execution, n) in created.iter().zip(new) {
            self.executions.push(ExecutionRow {
                execution: execution.clone(),
                timeout_seconds: n.timeout_seconds,
                sent_on: None,
            });
        }
        Ok(created)
    }

    /// The outbox write `ExecutionRepository` promises: a `RunFailed` for each script or
    /// policy execution among `changed` that ended failed, timed out or expired.
    fn notify_failed_runs(&mut self, changed: &[Execution]) {
        for execution in changed {
            let notification = self
                .hostname(execution.agent)
                .and_then(|hostname| Notification::for_failed_run(execution, hostname));
            if let Some(notification) = notification {
                let at = execution.completed_at.unwrap_or(execution.created_at);
                self.enqueue(notification, at);
            }
        }
    }

    fn progress(&self, run: PolicyRunId) -> RunProgress {
        let mut progress = RunProgress::default();
        let entries = |result: &Option<Value>, key: &str| {
            result
                .as_ref()
                .and_then(|r| r[key].as_array())
                .map_or(0, |list| list.len() as u64)
        };
        for row in &self.executions {
            let execution = &row.execution;
            if execution.policy_run != Some(run) {
                continue;
            }
            let counter = match execution.status {
                ExecutionStatus::Queued => &mut progress.queued,
                ExecutionStatus::Sent => &mut progress.sent,
                ExecutionStatus::Completed => &mut progress.completed,
                ExecutionStatus::Failed => &mut progress.failed,
                ExecutionStatus::TimedOut => &mut progress.timed_out,
                ExecutionStatus::Expired => &mut progress.expired,
                ExecutionStatus::Cancelled => &mut progress.cancelled,
            };
            *counter += 1;
            progress.patches_installed += entries(&execution.result, "patches_installed");
            progress.patches_failed += entries(&execution.result, "patches_failed");
            if execution
                .result
                .as_ref()
                .is_some_and(|r| r["reboot_required"] == true)
            {
                progress.reboot_required += 1;
            }
        }
        progress
    }

    fn run_summary(&self, run: &PolicyRun) -> RunSummary {
        RunSummary {
            run: run.clone(),
            progress: self.progress(run.id),
        }
    }

    /// Cancels queued executions picked by `which` (their script or policy was deleted).
    fn cancel_queued(&mut self, which: impl Fn(&Execution) -> bool, why: &str, now: DateTime<Utc>) {
        for row in &mut self.executions {
            let execution = &mut row.execution;
            if execution.status == ExecutionStatus::Queued && which(execution) {
                execution.status = ExecutionStatus::Cancelled;
                execution.error = Some(why.to_owned());
                execution.completed_at = Some(now);
            }
        }
    }
}

// ---- list helpers: filter with iterators, then search, sort and page here ----

/// One column's value for sorting. Text compares without regard to case; a missing time
/// ("never", "no expiry") sorts after every time.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Text(String),
    Time(DateTime<Utc>),
    Never,
}

fn text(value: &str) -> SortValue {
    SortValue::Text(value.to_lowercase())
}

fn time(at: DateTime<Utc>) -> SortValue {
    SortValue::Time(at)
}

fn maybe_time(at: Option<DateTime<Utc>>) -> SortValue {
    at.map_or(SortValue::Never, SortValue::Time)
}

fn same_text(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// True when there is no search, or one of `fields` contains it (without regard to case).
fn found(search: Option<&SearchTerm>, fields: &[&str]) -> bool {
    search.is_none_or(|term| {
        let term = term.as_str().to_lowercase();
        fields
            .iter()
            .any(|field| field.to_lowercase().contains(&term))
    })
}

/// Sorts `rows` by the query's column and order, and cuts out the page it asks for.
fn paginate<T, S: Copy, F>(
    mut rows: Vec<T>,
    query: &ListQuery<S, F>,
    column: impl Fn(&T, S) -> SortValue,
) -> Page<T> {
    rows.sort_by_cached_key(|row| column(row, query.sort_by));
    if query.sort_order == SortOrder::Desc {
        rows.reverse();
    }
    let total = rows.len() as u64;
    let skip = usize::try_from(query.page.offset()).unwrap_or(usize::MAX);
    let items = rows
        .into_iter()
        .skip(skip)
        .take(query.page.per_page() as usize)
        .collect();
    Page {
        items,
        total,
        request: query.page,
    }
}
