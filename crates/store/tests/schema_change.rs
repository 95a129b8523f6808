//! A hot read sees a column a migration added after the database was opened.

use myna_store::{Db, WriteQuery as _};

#[tokio::test]
async fn a_read_sees_a_column_added_after_open() {
    let dir = std::env::temp_dir().join(format!("myna-schema-change-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
    sqlx::query("CREATE TABLE t (a BIGINT)").write(&db).await.unwrap();
    sqlx::query("INSERT INTO t (a) VALUES (1)").write(&db).await.unwrap();
    for _ in 0..4 {
        let a: Vec<i64> = db.read("SELECT a FROM t", &[], |r| r.get(0)).await.unwrap();
        assert_eq!(a, [1]);
    }
    sqlx::query("ALTER TABLE t ADD COLUMN b BIGINT").write(&db).await.unwrap();
    for _ in 0..4 {
        let b: Vec<Option<i64>> = db.read("SELECT b FROM t", &[], |r| r.get(0)).await.unwrap();
        assert_eq!(b, [None]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const SCHEMA: myna_store::Schema = myna_store::Schema {
    role: "t2",
    migrations: &[
        myna_store::Migration { version: 1, name: "one", steps: &["CREATE TABLE t2 (a TEXT PRIMARY KEY, b BIGINT)"] },
        myna_store::Migration {
            version: 2,
            name: "two",
            steps: &["ALTER TABLE t2 ADD COLUMN c BIGINT", "ALTER TABLE t2 ADD COLUMN d TEXT"],
        },
    ],
};

#[tokio::test]
async fn a_read_sees_columns_of_migrations_run_after_open() {
    let dir = std::env::temp_dir().join(format!("myna-schema-change2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
    db.migrate(&SCHEMA).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.reserve("n", 1).await.unwrap();
    sqlx::query("INSERT INTO t2 (a, b) VALUES ('x', 1)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let b: Vec<i64> = db.read("SELECT b FROM t2 WHERE a = $1", &["x".into()], |r| r.get(0)).await.unwrap();
    assert_eq!(b, [1]);
    for _ in 0..4 {
        let c: Vec<(Option<i64>, Option<String>)> =
            db.read("SELECT c, d FROM t2 WHERE a = $1", &["x".into()], |r| Ok((r.get(0)?, r.get(1)?))).await.unwrap();
        assert_eq!(c, [(None, None)]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
