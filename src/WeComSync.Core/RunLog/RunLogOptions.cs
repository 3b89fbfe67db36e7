using System;
using System.Collections;

namespace WeComSync.RunLog
{
    /// <summary>How a run log is written.</summary>
    public sealed class RunLogOptions
    {
        /// <summary>Hide most of every mobile number and email address in everything written (plan, results, summary).</summary>
        public bool MaskPersonalData { get; set; }

        /// <summary>What the run was started with (file, organization, mode …); written to the summary as text. Never put secrets here (they are redacted anyway).</summary>
        public IDictionary Parameters { get; set; }

        /// <summary>The run is a dry run (-WhatIf): its summary says so.</summary>
        public bool WhatIf { get; set; }

        /// <summary>The run this one undoes (its full run id), recorded in the summary; null for a forward run.</summary>
        public string Undoes { get; set; }

        /// <summary>The clock; tests replace it.</summary>
        internal Func<DateTimeOffset> Clock { get; set; }
    }
}
