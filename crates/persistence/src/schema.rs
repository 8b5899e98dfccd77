//! The tables, as diesel sees them. Kept in step with `migrations/` by the persistence tests,
//! which run every query against a migrated database.

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        email -> Nullable<Text>,
        full_name -> Nullable<Text>,
        role -> Text,
        password_hash -> Text,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_login_at -> Nullable<Timestamptz>,
        all_clients -> Bool,
        service_account -> Bool,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        prefix -> Text,
        digest -> Bytea,
        role -> Text,
        client_ids -> Nullable<Array<Int8>>,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        last_used_ip -> Nullable<Text>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    clients (id) {
        id -> Int8,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sites (id) {
        id -> Int8,
        client_id -> Int8,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    user_clients (user_id, client_id) {
        user_id -> Int8,
        client_id -> Int8,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Uuid,
        user_id -> Int8,
        refresh_token_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Int8,
        user_id -> Int8,
        token_digest -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    enrollment_tokens (id) {
        id -> Int8,
        name -> Text,
        token_digest -> Bytea,
        auto_approve -> Bool,
        tags -> Array<Text>,
        max_uses -> Nullable<Int4>,
        uses -> Int4,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        site_id -> Int8,
    }
}

diesel::table! {
    agents (uuid) {
        uuid -> Uuid,
        hostname -> Text,
        display_name -> Nullable<Text>,
        os -> Text,
        arch -> Text,
        agent_version -> Text,
        external_ip -> Nullable<Text>,
        serial_number -> Nullable<Text>,
        tags -> Array<Text>,
        status -> Text,
        registration_token_digest -> Bytea,
        reregistration_secret_digest -> Bytea,
        enrollment_token_id -> Nullable<Int8>,
        approved_at -> Nullable<Timestamptz>,
        approved_by -> Nullable<Int8>,
        last_seen_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        maintenance -> Bool,
        overdue_at -> Nullable<Timestamptz>,
        site_id -> Nullable<Int8>,
        client_id -> Nullable<Int8>,
    }
}

diesel::table! {
    agent_state (agent_uuid) {
        agent_uuid -> Uuid,
        last_heartbeat_at -> Timestamptz,
        heartbeat_kind -> Text,
        stats -> Nullable<Jsonb>,
        blocks -> Jsonb,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    agent_metrics (agent_uuid, minute) {
        agent_uuid -> Uuid,
        minute -> Timestamptz,
        cpu_percent -> Nullable<Float4>,
        memory_percent -> Nullable<Float4>,
        disks -> Jsonb,
    }
}

diesel::table! {
    agent_status_events (id) {
        id -> Int8,
        agent_uuid -> Uuid,
        from_status -> Text,
        to_status -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    executions (id) {
        id -> Uuid,
        agent_uuid -> Uuid,
        action -> Text,
        params -> Jsonb,
        mutating -> Bool,
        timeout_seconds -> Int4,
        status -> Text,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        sent_on -> Nullable<Uuid>,
        sent_by -> Nullable<Uuid>,
        deadline_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
        attempts -> Int4,
        result -> Nullable<Jsonb>,
        error -> Nullable<Text>,
        truncated -> Bool,
        script_id -> Nullable<Uuid>,
        policy_run_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    scripts (id) {
        id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        script_type -> Text,
        content -> Text,
        timeout_seconds -> Int4,
        platforms -> Nullable<Array<Text>>,
        category -> Nullable<Text>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    policies (id) {
        id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        enabled -> Bool,
        definition -> Jsonb,
        next_run_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    policy_runs (id) {
        id -> Uuid,
        policy_id -> Uuid,
        trigger -> Text,
        slot -> Nullable<Timestamptz>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        target_count -> Int4,
        warnings -> Array<Text>,
    }
}

diesel::table! {
    agent_software (agent_uuid) {
        agent_uuid -> Uuid,
        packages -> Jsonb,
        source -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    agent_updates (agent_uuid) {
        agent_uuid -> Uuid,
        updates -> Jsonb,
        source -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    alerts (id) {
        id -> Int8,
        agent_uuid -> Uuid,
        metric -> Text,
        severity -> Text,
        current_value -> Nullable<Float8>,
        threshold -> Nullable<Float8>,
        duration_seconds -> Nullable<Int8>,
        message -> Text,
        raised_at -> Timestamptz,
        acknowledged_at -> Nullable<Timestamptz>,
        acknowledged_by -> Nullable<Int8>,
    }
}

diesel::table! {
    agent_counts (status, os, stripe) {
        status -> Text,
        os -> Text,
        stripe -> Int2,
        count -> Int8,
    }
}

diesel::table! {
    agent_certificates (serial) {
        serial -> Text,
        agent_uuid -> Uuid,
        not_before -> Timestamptz,
        not_after -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    certificate_authority (id) {
        id -> Int2,
        certificate_pem -> Text,
        sealed_key -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        kind -> Text,
        severity -> Text,
        summary -> Text,
        payload -> Jsonb,
        secret -> Nullable<Bytea>,
        created_at -> Timestamptz,
        routed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> Int8,
        notification_id -> Int8,
        channel -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    integrations (channel) {
        channel -> Text,
        enabled -> Bool,
        settings -> Jsonb,
        secrets -> Bytea,
        events -> Array<Text>,
        min_severity -> Text,
        last_result_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Int8>,
        actor_name -> Nullable<Text>,
        action -> Text,
        target_kind -> Nullable<Text>,
        target_id -> Nullable<Text>,
        source_ip -> Nullable<Text>,
        success -> Bool,
        details -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Int8,
        key -> Text,
        fingerprint -> Bytea,
        status -> Nullable<Int2>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    user_two_factor (user_id) {
        user_id -> Int8,
        secret -> Bytea,
        active -> Bool,
        last_step -> Nullable<Int8>,
        created_at -> Timestamptz,
        activated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    user_recovery_codes (id) {
        id -> Int8,
        user_id -> Int8,
        digest -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_challenges (digest) {
        digest -> Bytea,
        user_id -> Int8,
        expires_at -> Timestamptz,
        attempts -> Int4,
        consumed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    security_settings (id) {
        id -> Bool,
        require_two_factor -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    server_processes (id) {
        id -> Uuid,
        hostname -> Text,
        pid -> Int4,
        started_at -> Timestamptz,
        heartbeat_at -> Timestamptz,
    }
}

diesel::joinable!(notification_deliveries -> notifications (notification_id));
diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(policy_runs -> policies (policy_id));
diesel::joinable!(agent_certificates -> agents (agent_uuid));
diesel::joinable!(password_resets -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    notifications,
    notification_deliveries,
    users,
    auth_sessions,
    password_resets,
    server_secrets,
    user_two_factor,
    user_recovery_codes,
    security_settings
);
diesel::joinable!(sites -> clients (client_id));
diesel::joinable!(user_clients -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(clients, sites, agents, enrollment_tokens, alerts);
diesel::allow_tables_to_appear_in_same_query!(users, user_clients, api_keys);
diesel::joinable!(api_keys -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(agents, executions);
