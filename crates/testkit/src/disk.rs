//! A small filesystem that fills up: a tmpfs of a few megabytes, so that a test meets a
//! real "no space left on device" from the kernel (SQLITE_FULL), not a simulated one.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

/// A mounted tmpfs, unmounted (and its contents gone) on drop.
pub struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `bytes` at a fresh folder. Needs the right to mount (root, or
    /// `sudo -n`); `None` with the reason printed when this machine does not give it.
    pub fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("myna-small-disk-{}-{}", std::process::id(), crate::unique("d")));
        std::fs::create_dir_all(&dir).ok()?;
        let args = ["-t", "tmpfs", "-o", &format!("size={bytes},mode=0700"), "tmpfs", &dir.to_string_lossy()];
        let direct = Command::new("mount").args(args).output();
        let ok = match direct {
            Ok(o) if o.status.success() => true,
            _ => Command::new("sudo").arg("-n").arg("mount").args(args).output().is_ok_and(|o| o.status.success()),
        };
        if !ok {
            eprintln!("testkit: cannot mount a tmpfs here (needs root or sudo -n); the disk-full test is not run");
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
        Some(SmallDisk { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Bytes still free on the filesystem (from `df`, in 1 KiB blocks).
    pub fn free(&self) -> u64 {
        let out = Command::new("df").arg("-k").arg("--output=avail").arg(&self.dir).output().expect("df");
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().nth(1).and_then(|l| l.trim().parse::<u64>().ok()).expect("df avail") * 1024
    }

    /// Writes a filler file until at most `leave` bytes are free.
    pub fn fill(&self, leave: u64) {
        let mut f = std::fs::File::create(self.dir.join("filler")).expect("filler");
        let chunk = vec![0x55u8; 16 * 1024];
        while self.free() > leave {
            if f.write_all(&chunk).and_then(|_| f.sync_all()).is_err() {
                break;
            }
        }
    }

    /// Remounts the filesystem read-only (or writable again).
    pub fn set_read_only(&self, ro: bool) {
        let opt = if ro { "remount,ro" } else { "remount,rw" };
        let d = self.dir.to_string_lossy().to_string();
        // A file still open for writing (a connection closing on its worker thread) makes
        // the remount busy for a moment: try for a few seconds.
        for _ in 0..50 {
            let ok = Command::new("mount").args(["-o", opt, &d]).output().is_ok_and(|o| o.status.success())
                || Command::new("sudo").args(["-n", "mount", "-o", opt, &d]).output().is_ok_and(|o| o.status.success());
            if ok {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("remount {opt} {d} failed for 5 s");
    }

    /// Removes the filler: the space comes back.
    pub fn free_up(&self) {
        std::fs::remove_file(self.dir.join("filler")).expect("remove filler");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let d = self.dir.to_string_lossy().to_string();
        let done = Command::new("umount").arg("-l").arg(&d).status().is_ok_and(|s| s.success());
        if !done {
            let _ = Command::new("sudo").args(["-n", "umount", "-l", &d]).status();
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}
