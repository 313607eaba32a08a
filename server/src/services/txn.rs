//! A coordinator's write transaction: opened with the department's next change sequence (which
//! locks the department until commit, so decisions about it are serialized across server
//! processes) and its rules.

use uuid::Uuid;

use crate::db::rows::Department;
use crate::db::{Db, WriteTx};
use crate::error::ApiError;
use crate::services::award::load_department;
use crate::services::changes;

/// An open write transaction on one department.
pub struct DeptTx {
    pub tx: WriteTx,
    /// This transaction's change-log sequence.
    pub seq: i64,
    pub dept: Department,
}

impl DeptTx {
    /// Begins the transaction and takes the department's next sequence.
    pub async fn begin(db: &Db, department_id: Uuid) -> Result<DeptTx, ApiError> {
        let mut tx = db.write().await?;
        let seq = changes::next_seq(tx.conn(), department_id).await?;
        let dept = load_department(tx.conn(), department_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("your department no longer exists"))?;
        Ok(DeptTx { tx, seq, dept })
    }

    /// The connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        self.tx.conn()
    }

    /// Commits.
    pub async fn commit(self) -> Result<(), ApiError> {
        Ok(self.tx.commit().await?)
    }
}
