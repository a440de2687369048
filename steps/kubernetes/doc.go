// Package kubernetes is Maestro's Kubernetes and Notebook step types
// (maestro-kubernetes: KubernetesStepRuntime, NotebookStepRuntime) for
// Baton workers. It is its own Go module so that the Baton SDK does not
// require k8s.io/client-go: a worker opts in by registering the types.
//
// A Kubernetes step runs one container to completion. Its params
// (default-kubernetes-step-params.yaml) are a MAP named "kubernetes":
//
//	image (required), command, args (STRING_ARRAY), env (STRING_MAP),
//	cpu, memory, disk, gpu (resource limits), pre_stop.exec.command,
//	job_deduplication_key, app_name, owner_email, entrypoint (deprecated:
//	becomes /bin/sh -c ENTRYPOINT)
//
// The container gets MAESTRO_OUTPUT_START and MAESTRO_OUTPUT_END in its
// environment; whatever it prints between the two tokens last is the
// step's output data, Maestro's OutputData JSON:
//
//	{"params": {"foo": {"type": "STRING", "value": "bar"}},
//	 "artifacts": {"maestro_retry": {"type": "RETRY", "retryable": false}}}
//
// Output params set the step's params (which must be declared, MUTABLE).
// Exit code 0 is success; any other exit code is a user error (retried
// under error_retry_limit), or a fatal error when the output data's
// maestro_retry artifact says retryable false. Cancelling the step (stop,
// kill, timeout) deletes the job.
//
// Where the container runs is an Executor's business: PodExecutor creates
// a pod through client-go in the cluster of the worker's kubeconfig or its
// in-cluster config; LocalExecutor, for development only, runs the command
// as a process on the worker's machine and ignores the image.
//
// A Notebook step builds a papermill command line from its "notebook" MAP
// param (input_path, output_path, init_command, papermill_arguments,
// git_repo/git_branch/git_commit/git_submodules) as Maestro's
// PapermillEntrypointBuilder does, and runs it as a Kubernetes step with
// command /bin/sh -c; its outputs come from the log the same way.
package kubernetes
