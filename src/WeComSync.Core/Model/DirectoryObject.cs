using System.Collections.Generic;

namespace WeComSync.Model
{
    /// <summary>Where an object was read from: the side of the sync and, for files, the sheet and 1-based Excel row.</summary>
    public enum DirectorySource
    {
        Unknown = 0,
        WeComExport,
        WeComApi,
        Authing,
    }

    /// <summary>
    /// What users and departments share: where they came from and whether the read that produced them was complete.
    /// Convention for every field of the model: <c>null</c> means unknown (the source did not provide it),
    /// an empty string or empty list means known to be empty. Comparison never turns an unknown into a change.
    /// </summary>
    public abstract class DirectoryObject
    {
        /// <summary>The system this object was read from.</summary>
        public DirectorySource Source { get; set; }

        /// <summary>The source's own id (Authing userId / departmentId, WeCom numeric department id); null when there is none.</summary>
        public string SourceId { get; set; }

        /// <summary>File, sheet and row the object came from (export only); used in error messages.</summary>
        public string Origin { get; set; }

        /// <summary>
        /// Set when the read that produced this object was not complete (a page failed, a department was out of scope).
        /// A comparison refuses to plan deletes when any object of either side carries a reason.
        /// </summary>
        public string IncompleteReason
        {
            get => _incompleteReason ?? Skipped?.IncompleteReason;
            set => _incompleteReason = value;
        }

        private string _incompleteReason;

        /// <summary>
        /// What the read that produced this object skipped (bad rows of an export), shared by all its objects; null when
        /// it skipped nothing. Its reason, once set, makes this object incomplete too.
        /// </summary>
        public SkippedRecords Skipped { get; set; }

        /// <summary>The directory the object was read from (set by the Get-* cmdlets); null for files and hand-built objects.</summary>
        public DirectoryInstance ReadFrom { get; set; }

        /// <summary>Fields this source never provides even when set (withheld by WeCom, no column in the file). Names are model property names.</summary>
        public ISet<string> WithheldFields { get => _withheldFields; set => _withheldFields = FieldNameSet.Of(value); }
        private ISet<string> _withheldFields = new FieldNameSet();

        /// <summary>
        /// Withheld fields this side has no place for at all, so that nothing written there would be kept (Authing's
        /// Position and Telephone unless a field map places them): an overwrite never plans them, or every run would plan
        /// them again. Empty for fields a service withholds from reads but accepts in writes (WeCom's mobile).
        /// </summary>
        public ISet<string> UnplacedFields { get => _unplacedFields; set => _unplacedFields = FieldNameSet.Of(value); }
        private ISet<string> _unplacedFields = new FieldNameSet();
    }
}
