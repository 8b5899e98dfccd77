//! How agents join: enrollment tokens, registration, approval polling, certificates.

mod certificate;
mod check_in;
mod identity;
mod register;
mod renew;
mod service;
mod token;
mod tokens;

pub use certificate::{
    CertificateAuthority, CertificateRecord, CertificateSerial, IssuedCertificate,
};
pub use check_in::{AgentAuthError, AgentCredentials, FIRST_FETCH_WINDOW};
pub use identity::{
    AgentAuthMode, AgentIdentityService, AgentProof, CertificateRejection, CertificateVerifier,
    IdentityError, VerifiedCertificate,
};
pub use register::{RegisterError, Registration, RegistrationRequest, Reinstall};
pub use renew::Renewal;
pub use service::{EnrollmentPorts, EnrollmentService, EnrollmentSettings};
pub use token::{
    EnrollmentToken, EnrollmentTokenFilter, EnrollmentTokenId, EnrollmentTokenListQuery,
    EnrollmentTokenRepository, EnrollmentTokenSort, NewEnrollmentToken, TokenName, TokenRefusal,
};
pub use tokens::{
    CreateTokenError, CreateTokenRequest, CreatedToken, ListTokensError, RevokeTokenError,
};

#[cfg(any(test, feature = "mocks"))]
pub use certificate::MockCertificateAuthority;
#[cfg(any(test, feature = "mocks"))]
pub use identity::MockCertificateVerifier;
#[cfg(any(test, feature = "mocks"))]
pub use token::MockEnrollmentTokenRepository;
