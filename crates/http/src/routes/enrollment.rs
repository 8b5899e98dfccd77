//! The endpoints the SlimRMM agent calls to enroll (`../shared/docs/agent-protocol.md` §1). They
//! answer with bare JSON objects, as the agent reads top-level fields.

pub mod certificate;
pub mod register;
pub mod status;
