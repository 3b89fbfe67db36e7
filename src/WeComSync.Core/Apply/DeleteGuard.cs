namespace WeComSync.Apply
{
    /// <summary>
    /// Stops a run before any delete when it would delete more than an administrator would expect, in the spirit of
    /// Entra Connect's accidental-deletes threshold (500). A half-empty export or a mis-scoped read must not empty
    /// the directory: over either limit nothing is deleted unless the run is forced or given a higher limit.
    /// </summary>
    public sealed class DeleteGuard
    {
        public const int DefaultMaxDelete = 500;
        public const double DefaultMaxDeletePercent = 10;

        /// <summary>Most deletes one run may apply (count). 0 allows none.</summary>
        public int MaxDelete { get; set; } = DefaultMaxDelete;

        /// <summary>Most deletes one run may apply, as a percentage of the objects the target holds.</summary>
        public double MaxDeletePercent { get; set; } = DefaultMaxDeletePercent;

        /// <summary>Apply every delete regardless of the limits (-Force).</summary>
        public bool Force { get; set; }

        /// <summary>Returns null when the deletes may go ahead, else the message that says why not and what to do.</summary>
        public string Check(int deleteCount, int targetCount, string kind)
        {
            if (Force || deleteCount == 0) return null;
            double percent = targetCount <= 0 ? 100 : deleteCount * 100.0 / targetCount;
            if (deleteCount > MaxDelete)
            {
                return $"The plan deletes {deleteCount} {kind}(s) ({percent:0.#}% of {targetCount}), more than -MaxDelete {MaxDelete}. " +
                       "Nothing was deleted. Review the plan (-WhatIf); if it is right, raise -MaxDelete or use -Force.";
            }
            if (percent > MaxDeletePercent)
            {
                return $"The plan deletes {deleteCount} of {targetCount} {kind}(s) ({percent:0.#}%), more than -MaxDeletePercent {MaxDeletePercent:0.#}. " +
                       "Nothing was deleted. Review the plan (-WhatIf); if it is right, raise -MaxDeletePercent or use -Force.";
            }
            return null;
        }
    }
}
