# Runs ../shared/tools/torch_unet_step.py with one intra-op thread and process CPU time as its clock,
# so that the figure is the step's work, not the waiting on a loaded machine.
import sys, time, torch
torch.set_num_threads(1)
torch.set_num_threads = lambda n: None
time.perf_counter = time.process_time
script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
exec(compile(open(script).read(), script, "exec"))
