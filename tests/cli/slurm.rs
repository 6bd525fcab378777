//! A sweep on a real single-node Slurm cluster on localhost: Debian's
//! slurmctld, slurmd, slurm-client and munge (installed here when missing),
//! one node, `sbatch --array=0-3`, each task taking its shard from
//! SLURM_ARRAY_TASK_ID/COUNT. The merged dataset must equal the same sweep
//! run locally in one process. The daemons this test starts are stopped by
//! their pids at the end, also when it fails. They need root: for anyone
//! else the test says that it was not run (see `system`).

use crate::command::{ludd, scratch, sorted, text};
use crate::system::{self, SLURM};
use ludd::analysis::sweep::read_metrics;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Stops the daemons by the pids they wrote, whatever happens to the test.
struct Daemons {
    pid_files: Vec<PathBuf>,
}

impl Drop for Daemons {
    fn drop(&mut self) {
        for f in &self.pid_files {
            if let Ok(pid) = std::fs::read_to_string(f) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn a_sweep_as_a_slurm_job_array_equals_the_local_sweep() {
    if !system::root(None, "start slurmctld, slurmd and munged") || !system::have(&SLURM, None) {
        return;
    }
    let dir = scratch("slurm");
    let root = dir.canonicalize().unwrap();
    let munge_dir = root.join("munge");
    for d in ["munge", "state", "spool", "log", "out"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    run_ok(
        Command::new("chown").args(["munge:munge"]).arg(&munge_dir),
        "chown munge",
    );
    let mut daemons = Daemons {
        pid_files: Vec::new(),
    };

    let socket = munge_dir.join("munge.socket");
    let munged = format!(
        "/usr/sbin/munged --socket={} --pid-file={} --log-file={} --seed-file={}",
        socket.display(),
        munge_dir.join("munged.pid").display(),
        munge_dir.join("munged.log").display(),
        munge_dir.join("munged.seed").display()
    );
    run_ok(
        Command::new("su").args(["-s", "/bin/sh", "munge", "-c", &munged]),
        "munged",
    );
    daemons.pid_files.push(munge_dir.join("munged.pid"));

    // Ports away from the defaults and from other runs of this test.
    let port = 20_000 + (std::process::id() % 20_000) as u16;
    let host = run_ok(&mut Command::new("hostname"), "hostname")
        .trim()
        .to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let conf = root.join("slurm.conf");
    std::fs::write(
        &conf,
        format!(
            "ClusterName=ludd\nSlurmctldHost={host}\nSlurmUser=root\nSlurmdUser=root\n\
             AuthType=auth/munge\nAuthInfo=socket={socket}\nCredType=cred/munge\n\
             ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
             JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nSchedulerType=sched/backfill\n\
             StateSaveLocation={r}/state\nSlurmdSpoolDir={r}/spool\n\
             SlurmctldPidFile={r}/slurmctld.pid\nSlurmdPidFile={r}/slurmd.pid\n\
             SlurmctldLogFile={r}/log/slurmctld.log\nSlurmdLogFile={r}/log/slurmd.log\n\
             SlurmctldPort={port}\nSlurmdPort={}\nReturnToService=2\nMpiDefault=none\n\
             NodeName={host} CPUs={cpus} State=UNKNOWN\n\
             PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
            port + 1,
            socket = socket.display(),
            r = root.display(),
        ),
    )
    .unwrap();
    let slurm = |program: &str| {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", &conf);
        c
    };
    run_ok(
        slurm("/usr/sbin/slurmctld").arg("-f").arg(&conf),
        "slurmctld",
    );
    daemons.pid_files.push(root.join("slurmctld.pid"));
    run_ok(slurm("/usr/sbin/slurmd").arg("-f").arg(&conf), "slurmd");
    daemons.pid_files.push(root.join("slurmd.pid"));
    let started = Instant::now();
    loop {
        let info = slurm("sinfo")
            .args(["-h", "-o", "%t"])
            .output()
            .map(|o| text(&o.stdout))
            .unwrap_or_default();
        if info.trim() == "idle" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the node never became idle: {info}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    // The sweep: 2 x 2 points, 2 replicates, short runs.
    std::fs::write(
        root.join("grid.ron"),
        "Sweep(\n    name: \"slurm\",\n    base: \"loom\",\n    set: [\"end_year=1790\"],\n    design: Grid([\n        Axis(path: \"behaviour.threshold_mean\", values: [\"1.2\", \"1.5\"]),\n        Axis(path: \"behaviour.contagion_local\", values: [\"0.5\", \"1.5\"]),\n    ]),\n    replicates: 2,\n    master_seed: 5,\n)\n",
    )
    .unwrap();
    let script = root.join("array.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/bash\nset -euo pipefail\ncd {}\nexec {} sweep grid.ron --out cluster\n",
            root.display(),
            env!("CARGO_BIN_EXE_ludd")
        ),
    )
    .unwrap();
    let job = run_ok(
        slurm("sbatch")
            .args(["--array=0-3", "--parsable", "--output"])
            .arg(root.join("out/task-%a.txt"))
            .arg(&script),
        "sbatch",
    );
    let job = job.trim().split(';').next().unwrap().to_string();
    let started = Instant::now();
    loop {
        let queue = slurm("squeue")
            .args(["-h", "-j", &job])
            .output()
            .map(|o| text(&o.stdout))
            .unwrap_or_default();
        if queue.trim().is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the job array did not finish:\n{queue}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut logs = String::new();
    for i in 0..4 {
        logs.push_str(
            &std::fs::read_to_string(root.join(format!("out/task-{i}.txt"))).unwrap_or_default(),
        );
    }
    for i in 0..4 {
        assert!(
            logs.contains(&format!("shard {i}/4")),
            "task {i} ran its own shard:\n{logs}"
        );
    }

    let local = ludd(&["sweep", "grid.ron", "--out", "local"], &root);
    assert!(local.status.success(), "{}", text(&local.stderr));
    let cluster = sorted(read_metrics(&root.join("cluster")).expect("the cluster's dataset reads"));
    let local = sorted(read_metrics(&root.join("local")).unwrap());
    assert_eq!(cluster.height(), 8, "every run of the array is there once");
    assert!(
        cluster.equals_missing(&local),
        "the job array's merged dataset equals the local sweep"
    );
    eprintln!(
        "slurm: job {job}, 4 array tasks, 8 runs; merged dataset identical to the local sweep"
    );
    drop(daemons);
}
