//! Users, their roles and credentials, and the use cases that manage them.

mod bootstrap;
mod create;
mod delete;
mod email;
mod full_name;
mod get;
mod list;
mod model;
mod password;
mod repository;
mod role;
mod service;
mod update;
mod username;

pub use bootstrap::BootstrapAdmin;
pub use create::{CreateUserError, CreateUserRequest};
pub use delete::DeleteUserError;
pub use email::{Email, EmailError};
pub use full_name::{FullName, FullNameError};
pub use get::GetUserError;
pub use list::{ListUsersError, UserFilter, UserListQuery, UserSort};
pub use model::{NewUser, User, UserChanges, UserCredentials, UserId};
pub use password::{Password, PasswordError, PasswordHash, PasswordHasher};
pub use repository::{UserRepository, UserWriteError};
pub use role::{Role, UnknownRole};
pub use service::UserService;
pub use update::{PasswordChange, UpdateUserError, UpdateUserRequest};
pub use username::{Username, UsernameError};

#[cfg(any(test, feature = "mocks"))]
pub use password::MockPasswordHasher;
#[cfg(any(test, feature = "mocks"))]
pub use repository::MockUserRepository;
