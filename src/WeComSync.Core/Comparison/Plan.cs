using System.Collections.Generic;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>The result of a comparison: the ordered changes, what they were computed from, and a refused-delete reason.</summary>
    public sealed class Plan
    {
        public Plan(List<Change> changes, PlanContext context)
        {
            Changes = changes;
            Context = context;
        }

        /// <summary>In apply order (each change's Sequence is its 1-based position).</summary>
        public List<Change> Changes { get; }

        public PlanContext Context { get; }

        /// <summary>Why deletes were refused (a side read incompletely); null when they were not.</summary>
        public string DeleteRefusedReason => Context.DeleteRefusedReason;

        /// <summary>The incomplete object that caused the refusal, for the error record's target.</summary>
        public DirectoryObject DeleteRefusedBy { get; internal set; }

        /// <summary>What to do about the refusal, by where the incomplete side came from (a file's rows, a service read); null when deletes were not refused.</summary>
        public string DeleteRefusedAdvice => RefusedAdvice ?? (DeleteRefusedBy == null ? null : DirectoryComparer.CompleteReadAdvice(DeleteRefusedBy.Source) + ".");

        /// <summary>Advice set by a check after the comparison (<see cref="DeleteCrossCheck"/>), which knows its own cause.</summary>
        internal string RefusedAdvice { get; set; }

        public string Summary => Context.ToString();

        /// <summary>
        /// Reference objects the comparison refused, one error each (file, sheet, row, what to do): nothing is planned for
        /// them and their counterparts are kept as on a skipped row (<see cref="LostLeadingZeros"/>). The rest of the plan stands.
        /// </summary>
        public IReadOnlyList<OutputError> Errors { get; internal set; } = System.Array.Empty<OutputError>();

        /// <summary>
        /// Why the whole plan was refused (an export under several top departments): it then holds no change, and a run
        /// stops with this error; null when it was not.
        /// </summary>
        public OutputError Refusal { get; internal set; }
    }
}
