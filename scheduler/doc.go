// Package scheduler is Maestro's scheduler on Temporal: run strategies
// across the instances of a workflow id, and time triggers on Temporal
// Schedules, with no store but Temporal (DESIGN.md decision 6).
//
// # Run strategies
//
// Every instance that goes through a run strategy is admitted by its
// workflow id's queue: one entity workflow, "baton-queue/<workflow id>"
// ("baton-queue/<task queue>/<workflow id>" off the default task queue),
// that takes starts as updates (update-with-start, so the first start
// creates it). The queue decides by the rule of the plan being started
// (MAESTRO.md §4.9): it starts the instance at once as a child workflow
// with its own id (abandoned when the queue continues as new, so
// instances outlive the queue's runs), keeps it waiting (CREATED, with a
// position), or stops it at once (FIRST_ONLY). It learns that an instance
// ended from the child's result, or, for instances a previous run of the
// queue started or a restart started, from one Watch activity that waits
// on their results; then it admits the next. STRICT_SEQUENTIAL blocks on
// a FAILED instance until UNBLOCK or a restart that succeeds; LAST_ONLY
// stops the running instance (Temporal cancellation, the interpreter's
// STOP) and then runs the new one; SERIAL_LATEST_ONLY stops the waiting
// one when a newer arrives; PARALLEL admits up to workflow_concurrency
// (0 pauses). A start whose instance id the queue knows (the same
// request_id) returns that instance; Temporal refuses a second execution
// of a forgotten one.
//
// A start may ask to start its instance itself when it is admitted at
// once (StartRequest.CallerStarts; client.Start does): the answer says
// so (Admission.Start), the caller starts it with an eager start, and
// the queue watches it with an activity of its own, counting it STOPPED
// if it never appears within CallerStartGrace; while no instance waits,
// the watch begins only CallerWatchDelay after the instance started. A
// start reports the ends its caller saw (StartRequest.Ended: the client
// waited for those results), and the queue takes them in first; a start
// that still finds every slot taken checks with a local activity
// (CheckEnded) which running instances have in fact ended. A restart of an ended instance
// the queue knows is placed again by the rule (UpdateRestart) and its
// next run started as a child.
//
// # Speculative starts
//
// A client with a worker in its process (client.Options.EagerStart) does
// not wait for the queue's answer before it starts the instance: it sends
// the start update (StartRequest.Speculative) and the instance's eager
// start at the same time. Any design that decides admission before it
// starts the instance pays a second server round trip (the start) after
// the first (the update, whose workflow task the server hands the queue's
// worker a few milliseconds after the call); speculation overlaps them,
// so a start admitted at once costs the update plus the instance's one
// workflow task, as a bare start costs its start plus that task.
//
// The instance's input says it must wait (workflows.RunInput.
// AwaitAdmission, in its own history, so runs without it and every
// history before are untouched). Its first workflow task runs one local
// activity (AwaitAdmission) that takes the queue's answer from the
// caller, in-process (ExpectAdmission, Admitted: keyed by a random token
// in the input), or, if the answer is not in this process (the task runs
// in another worker, or after a crash), asks the queue (Lookup) with a
// short backoff for at most two seconds. Then:
//
//   - admitted at once (IN_PROGRESS): the run goes on in the same
//     workflow task; no signal, no second task. The queue records it as an
//     instance its caller starts (CallerStarts), as before.
//   - waiting (CREATED, with a position): the execution stays, BatonStatus
//     CREATED, until the queue's signal (workflows.AdmissionSignalName).
//     The queue, behind GetVersion "queue-speculative" (version 1), marks
//     the waiting instance as having an execution (Instance.Execution) and
//     signals it when it admits it, instead of starting a child; a signal
//     that finds no execution (its caller died before starting it) makes
//     the queue start it as a child, as it does any waiting instance (it
//     keeps the plan until the signal is delivered). The waiting run asks
//     the queue again now and then (AwaitAdmission.Recheck, a minute,
//     doubling) in case a signal was missed, and reads the breakpoints
//     itself once admitted.
//   - stopped, at once (FIRST_ONLY) or while it waits (Stop, LAST_ONLY or
//     SERIAL_LATEST_ONLY replacing it): the run ends STOPPED, without
//     running a step, with the queue's reason. The queue signals the
//     reason rather than cancel the execution, so that the run can say
//     it (a cancellation carries none); a Temporal cancellation of a
//     waiting run ends it STOPPED too. When its turn comes the queue's
//     signal finds the execution closed, the child start it falls back
//     to finds the id taken (REJECT_DUPLICATE), and the queue ends the
//     instance STOPPED, saying its execution was cancelled or terminated
//     while queued (GetVersion "queue-admit-missed", Instance.AdmitMissed;
//     before it, the reason of a request id used before).
//   - unknown: a run whose caller died between its start and its update
//     asks until AwaitAdmission.Grace (a minute) has passed, then ends
//     STOPPED, "never admitted".
//
// A start the queue refuses (a full queue, a strategy switch Maestro
// refuses) deletes the execution it started, so a refused start leaves
// nothing behind, as before. A start with a request id the queue knows
// finds the earlier instance's execution (USE_EXISTING); Temporal still
// refuses a second execution of an instance (REJECT_DUPLICATE). Without a
// worker in the process (no eager start) or with
// client.Options.NoSpeculativeStart, a start waits for the answer first.
//
// Why an entity and not Temporal's id-conflict policies: a policy sees
// one workflow id, and Maestro's instances are many ids with a shared
// rule, a FIFO and a memory of failures. One entity per workflow id gives
// all of that with updates (validated, answered) and queries, and its
// history stays bounded: it continues as new past 2,000 events or 4 MiB,
// carrying its compact state (at most MaxQueued waiting instances, the
// plans they need by hash, the last 100 ended ones).
//
// # Time triggers
//
// Each time trigger of a workflow id's active version is one Temporal
// schedule, "baton-trigger/<workflow id>/<index>", in the trigger's time
// zone, with fuzzy_max_delay as jitter (Spec converts CRON, Quartz and
// PREDEFINED expressions to calendars, INTERVAL to an interval aligned to
// its start). At each slot the schedule starts a short Fire workflow that
// reads the slot's nominal time (TemporalScheduledStartTime) and admits
// the instance through the run strategy with RUN_TS set to the slot and
// WORKFLOW_CRON_TIMEZONE to the trigger's zone; the slot's request id
// makes a slot start one instance however often it fires. Schedules
// buffer overlapping fires (BUFFER_ALL), so slots reach the queue in
// order. SyncSchedules creates, replaces and deletes schedules when a
// version becomes active; PauseSchedules pauses them on deactivation;
// Backfill runs Temporal's schedule backfill over a range.
//
// The registry entity of the workflow id runs both, and the run
// strategy's switch, itself: after it records an activation or a
// deactivation it runs the Sync activity, retried until done, and
// answers the update once it is (registry.ScheduleSync). A client that
// dies after its update leaves nothing stale.
//
// Quartz's day rules (L, L-n, LW, nW; nL, n#k) have no Temporal calendar
// field: each becomes several calendars, one per length of month (and
// February by leap year), pairing days of month with days of the week.
//
// Workers: worker.New calls Register.
package scheduler
