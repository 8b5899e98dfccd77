use chrono::{DateTime, Utc};
use serde_json::json;

use super::run::Start;
use super::{Policy, PolicyService, RunTrigger};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::tenancy::Scope;

impl PolicyService {
    /// Starts the runs of every policy whose slot has come (called every few seconds by every
    /// server process). Each slot fires once however many processes call this: the next slot
    /// is claimed with a compare-and-swap before anything runs. After downtime only the
    /// latest missed slot runs, and only if it is within the grace period and the window (if
    /// any) is still open. Returns how many runs started.
    pub async fn run_due(&self) -> Result<usize, PortError> {
        let now = self.ports.clock.now();
        let due = self
            .ports
            .policies
            .due(now, self.settings.due_batch)
            .await?;
        let mut started = 0;
        for policy in due {
            match self.fire(&policy, now).await {
                Ok(true) => started += 1,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(policy = %policy.id, error = %error, "a scheduled run failed to start");
                }
            }
        }
        Ok(started)
    }

    async fn fire(&self, policy: &Policy, now: DateTime<Utc>) -> Result<bool, PortError> {
        let definition = &policy.definition;
        let Some(claimed) = policy.next_run_at else {
            return Ok(false);
        };
        let window = definition.maintenance_window.as_ref();
        let schedule = definition.schedule.as_ref().filter(|_| definition.enabled);
        let next = schedule.and_then(|schedule| schedule.next_slot(now, window));
        if !self
            .ports
            .policies
            .advance(policy.id, claimed, next)
            .await?
        {
            return Ok(false);
        }
        let Some(schedule) = schedule else {
            return Ok(false);
        };
        let since = claimed.max(now - self.settings.grace);
        let Some(slot) = schedule.latest_slot(now, since, window) else {
            tracing::warn!(policy = %policy.id, missed = %claimed, "no slot to run: missed by more than the grace period, or outside the maintenance window; skipped");
            return Ok(false);
        };
        let local = schedule.wall_clock(now);
        let expires_at = match window {
            Some(window) if !window.contains(local) => {
                tracing::warn!(policy = %policy.id, slot = %slot, "the maintenance window closed before the missed slot could run; skipped");
                return Ok(false);
            }
            // Offline agents may patch only while the window is open.
            Some(window) => schedule
                .instant_of(window.closing_after(local))
                .unwrap_or(now + self.executions.default_expiry),
            None => now + self.executions.default_expiry,
        };
        let targets = self
            .ports
            .agents
            .select(&Scope::All, &definition.targets)
            .await?;
        let start = Start {
            trigger: RunTrigger::Schedule,
            slot: Some(slot),
            by: None,
            expires_at,
            now,
        };
        let summary = self.start(policy, &targets, start).await?;
        let record = AuditRecord::system("policy.execute")
            .target("policy", policy.id)
            .details(json!({
                "run_id": summary.run.id.to_string(),
                "agents": summary.run.target_count,
                "trigger": "schedule",
                "slot": slot,
            }));
        self.ports.audit.record(record).await;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::policy::{PolicyId, PolicyInput, ScheduleInput, TargetsInput, WindowInput};
    use crate::test_support::{policy_services, t0};

    /// Hourly, on every agent; `t0` is Thursday 2026-01-01 12:00 UTC.
    fn hourly(window: Option<WindowInput>) -> Policy {
        let definition = PolicyInput {
            name: "Hourly".into(),
            description: None,
            enabled: true,
            targets: TargetsInput {
                all: true,
                ..TargetsInput::default()
            },
            categories: None,
            reboot: None,
            schedule: Some(ScheduleInput {
                cron: "0 * * * *".into(),
                timezone: "UTC".into(),
            }),
            maintenance_window: window,
            timeout_seconds: None,
        }
        .check(t0())
        .unwrap();
        Policy {
            id: PolicyId(uuid::Uuid::nil()),
            definition,
            next_run_at: None,
            created_by: None,
            created_at: t0(),
            updated_at: t0(),
        }
    }

    fn due_at(mut policy: Policy, slot: DateTime<Utc>) -> Policy {
        policy.next_run_at = Some(slot);
        policy
    }

    #[tokio::test]
    async fn a_due_slot_runs_once_and_the_next_one_is_claimed() {
        let mut ports = policy_services();
        let policy = due_at(hourly(None), t0());
        ports
            .policies
            .expect_due()
            .returning(move |_, _| Ok(vec![policy.clone()]));
        ports
            .policies
            .expect_advance()
            .withf(|_, slot, next| *slot == t0() && *next == Some(t0() + TimeDelta::hours(1)))
            .times(1)
            .returning(|_, _, _| Ok(true));
        ports
            .agents
            .expect_select()
            .returning(|_, _| Ok(Vec::new()));
        ports
            .policies
            .expect_start_run()
            .withf(|run, executions| {
                run.trigger == RunTrigger::Schedule
                    && run.slot == Some(t0())
                    && executions.is_empty()
            })
            .times(1)
            .returning(|_, _| Ok(Vec::new()));
        let audit = ports.audit.clone();
        assert_eq!(ports.service().run_due().await.unwrap(), 1);
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "policy.execute");
        assert_eq!(
            record.actor_name.as_deref(),
            Some(crate::audit::SYSTEM_ACTOR)
        );
        assert_eq!(record.details["trigger"], "schedule");
    }

    #[tokio::test]
    async fn another_process_claiming_the_slot_means_no_run_here() {
        let mut ports = policy_services();
        let policy = due_at(hourly(None), t0());
        ports
            .policies
            .expect_due()
            .returning(move |_, _| Ok(vec![policy.clone()]));
        ports
            .policies
            .expect_advance()
            .returning(|_, _, _| Ok(false));
        ports.policies.expect_start_run().never();
        assert_eq!(ports.service().run_due().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn after_downtime_only_a_recent_slot_is_caught_up() {
        // Down since 06:00: the 12:00 slot is within the grace and runs once, for 12:00.
        let mut ports = policy_services();
        let policy = due_at(hourly(None), t0() - TimeDelta::hours(6));
        ports
            .policies
            .expect_due()
            .returning(move |_, _| Ok(vec![policy.clone()]));
        ports
            .policies
            .expect_advance()
            .returning(|_, _, _| Ok(true));
        ports
            .agents
            .expect_select()
            .returning(|_, _| Ok(Vec::new()));
        ports
            .policies
            .expect_start_run()
            .withf(|run, _| run.slot == Some(t0()))
            .times(1)
            .returning(|_, _| Ok(Vec::new()));
        let audit = ports.audit.clone();
        assert_eq!(ports.service().run_due().await.unwrap(), 1);
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "policy.execute");
        assert_eq!(
            record.actor_name.as_deref(),
            Some(crate::audit::SYSTEM_ACTOR)
        );
        assert_eq!(record.details["trigger"], "schedule");
    }

    #[tokio::test]
    async fn a_closed_window_keeps_a_missed_slot_from_firing() {
        // The window is Thursday 10:00-11:30 and it is now 12:00: the 11:00 slot was missed.
        let window = WindowInput {
            days: vec!["thu".into()],
            start: "10:00".into(),
            end: "11:30".into(),
        };
        let mut ports = policy_services();
        let policy = due_at(hourly(Some(window)), t0() - TimeDelta::hours(1));
        ports
            .policies
            .expect_due()
            .returning(move |_, _| Ok(vec![policy.clone()]));
        ports
            .policies
            .expect_advance()
            .withf(|_, _, next| *next == Some(t0() + TimeDelta::days(7) - TimeDelta::hours(2)))
            .returning(|_, _, _| Ok(true));
        ports.policies.expect_start_run().never();
        assert_eq!(ports.service().run_due().await.unwrap(), 0);
    }
}
