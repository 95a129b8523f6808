//! `Db::read`: the same query and the same answers on SQLite (read on the caller's thread)
//! and PostgreSQL (through the pool), and a read sees every write acknowledged before it.

use myna_store::{Val, WriteQuery as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_answer_the_same_on_both_back_ends_and_see_acknowledged_writes() {
    for db in myna_testkit::fresh_dbs().await.unwrap() {
        sqlx::query("CREATE TABLE r (id BIGINT PRIMARY KEY, name TEXT NOT NULL, note TEXT, data BYTEA)")
            .execute(&db.pool)
            .await
            .ok();
        // SQLite has no BYTEA but takes any type name; the column is still read as bytes.
        for (id, name, note) in [(1i64, "一郎", Some("x")), (2, "花子", None)] {
            sqlx::query("INSERT INTO r (id, name, note, data) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(name)
                .bind(note)
                .bind(vec![id as u8, 0xff])
                .write(&db)
                .await
                .unwrap();
        }
        let rows = db
            .read(
                "SELECT id, name, note, data FROM r WHERE id >= $1 OR name = $2 ORDER BY id",
                &[1i64.into(), "x".into()],
                |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<Option<String>>(2)?, r.get::<Vec<u8>>(3)?)),
            )
            .await
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (1, "一郎".to_string(), Some("x".to_string()), vec![1, 0xff]),
                (2, "花子".to_string(), None, vec![2, 0xff])
            ],
            "{:?}",
            db.backend
        );
        // A parameter used twice is one value; a missing row is None.
        let one =
            db.read_one("SELECT name FROM r WHERE id = $1 AND $1 > 1", &[2i64.into()], |r| r.get::<String>(0)).await;
        assert_eq!(one.unwrap().as_deref(), Some("花子"));
        let none =
            db.read_one("SELECT name FROM r WHERE name = $1", &[Val::Text("三郎")], |r| r.get::<String>(0)).await;
        assert_eq!(none.unwrap(), None);
        // Written through the pool, read at once through the direct readers.
        sqlx::query("UPDATE r SET note = $1 WHERE id = 2").bind("更新").write(&db).await.unwrap();
        let note = db.read_one("SELECT note FROM r WHERE id = 2", &[], |r| r.get::<Option<String>>(0)).await.unwrap();
        assert_eq!(note, Some(Some("更新".to_string())));
        // A column of the wrong type is an error that names it, not a panic.
        let e = db.read("SELECT name FROM r", &[], |r| r.get::<i64>(0)).await;
        assert!(e.is_err());
    }
}
