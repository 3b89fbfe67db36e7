using System.Threading;

namespace WeComSync
{
    /// <summary>
    /// The progress of one activity that runs in stages of counted steps (a read: list ids, then details per department),
    /// written to an <see cref="IOutputWriter"/> when a stage starts and whenever the percentage changes (with no total
    /// known, every 100 steps): a read of 100 000 members writes a few hundred records, not 100 000. Steps may come from
    /// any thread.
    /// </summary>
    internal sealed class StepProgress
    {
        private readonly IOutputWriter _output;
        private readonly string _activity;
        private string _stage = "";
        private int _total, _done, _percent;

        public StepProgress(IOutputWriter output, string activity)
        {
            _output = output;
            _activity = activity;
        }

        /// <summary>A new stage of <paramref name="total"/> steps (0: not known in advance).</summary>
        public void Start(string stage, int total)
        {
            _stage = stage;
            Volatile.Write(ref _total, total);
            Interlocked.Exchange(ref _done, 0);
            Volatile.Write(ref _percent, total > 0 ? 0 : -1);
            Write(0, total);
        }

        public void Step()
        {
            int done = Interlocked.Increment(ref _done), total = Volatile.Read(ref _total);
            if (total <= 0) { if (done % 100 == 0) Write(done, total); return; }
            int percent = Percent(done, total);
            if (Interlocked.Exchange(ref _percent, percent) != percent) Write(done, total);
        }

        /// <summary>Closes the activity.</summary>
        public void Complete() => _output.WriteProgress(_activity, "done", 100);

        // Never 100 before Complete: 100 closes the activity.
        private static int Percent(int done, int total) => done >= total ? 99 : done * 100 / total;

        private void Write(int done, int total) =>
            _output.WriteProgress(_activity, total > 0 ? $"{_stage}: {done} of {total}" : $"{_stage}: {done}", total > 0 ? Percent(done, total) : -1);
    }
}
