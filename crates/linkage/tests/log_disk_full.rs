//! The hub's log on a disk that fills up (a tmpfs of a few MiB): writes refused, never
//! acknowledged without being durable, and the log whole after a restart.

use myna_linkage::hub::{HubStore, NewEntry};
use myna_store::{Db, StorageCondition};
use myna_testkit::SmallDisk;

/// The hub's log on a disk that fills: each group is committed whole or refused whole, and
/// after a restart the log holds exactly the acknowledged groups, numbered without a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_keeps_the_hub_log_whole() {
    let Some(disk) = SmallDisk::mount(6 << 20) else { return };
    let url = format!("sqlite://{}", disk.path().join("hub.db").display());
    let hub = HubStore::open(Db::open(&url).await.unwrap()).await.unwrap();
    disk.fill(512 * 1024);
    let entry = |i: u64| NewEntry {
        at: i as i64,
        requester: "agency-a".into(),
        message: format!("m{i}"),
        subject: Some(format!("person{i}")),
        leaf: [(i % 251) as u8; 32],
        entry: format!("{{\"i\":{i},\"pad\":\"{}\"}}", "x".repeat(300)),
    };
    let (mut next, mut refused) = (0u64, 0);
    while refused < 20 {
        let group: Vec<NewEntry> = (next..next + 50).map(entry).collect();
        match hub.append(next, &group, &[], None).await {
            Ok(()) => next += 50,
            Err(e) => {
                assert_eq!(e.storage(), Some(StorageCondition::Full), "{e}");
                refused += 1;
            }
        }
    }
    assert!(next > 0, "nothing was appended before the disk filled");
    disk.free_up();
    let group: Vec<NewEntry> = (next..next + 50).map(entry).collect();
    hub.append(next, &group, &[], None).await.expect("appends resume when space returns");
    next += 50;
    hub.db().pool.close().await;
    let hub = HubStore::open(Db::open(&url).await.unwrap()).await.unwrap();
    assert_eq!(hub.size().await.unwrap(), next, "the log holds exactly the acknowledged entries");
    let leaves = hub.leaves(0, next).await.unwrap();
    assert_eq!(leaves.len() as u64, next, "the log holds exactly the acknowledged entries");
    for (i, l) in leaves.iter().enumerate() {
        assert_eq!(*l, [(i as u64 % 251) as u8; 32], "entry {i} is the one acknowledged there");
    }
}
