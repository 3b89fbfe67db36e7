using System.Collections;
using System.Collections.Generic;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Model;

namespace WeComSync.Workflow
{
    /// <summary>What both sync runs (upstream and downstream) are given besides their readers and clients.</summary>
    public abstract class SyncRunOptions
    {
        /// <summary>The folder for run logs (each run its own sub-folder); null keeps the run in memory only.</summary>
        public string LogPath { get; set; }

        /// <summary>What the run was started with, written to its summary as text (no secrets: they are left out before).</summary>
        public IDictionary Parameters { get; set; }

        /// <summary>Mask mobile numbers and emails in the run log.</summary>
        public bool MaskPersonalData { get; set; }

        /// <summary>
        /// A dry run: read and plan everything, write nothing. The plan is shown as text (<see cref="IOutputWriter.WriteInformation"/>),
        /// not asked change by change, and the run log marks the run as a dry run.
        /// </summary>
        public bool WhatIf { get; set; }

        /// <summary>Most calls in flight at once: an optional ceiling (0: adapts to the service, up to 64).</summary>
        public int ThrottleLimit { get; set; }

        /// <summary>Limits on the deletes one run may apply (-MaxDelete, -MaxDeletePercent, -Force).</summary>
        public DeleteGuard DeleteGuard { get; set; } = new DeleteGuard();

        /// <summary>Only these departments (paths or ids), subtrees included; empty: the whole directory.</summary>
        public IList<string> Department { get; set; }

        /// <summary>Departments whose subtrees are out of scope, even inside <see cref="Department"/>.</summary>
        public IList<string> ExcludeDepartment { get; set; }

        public UpdateMode UpdateMode { get; set; } = UpdateMode.Changed;

        /// <summary>User fields never compared or written.</summary>
        public ICollection<string> ExcludeProperty { get; set; }

        /// <summary>What a planned user delete does: Delete or Suspend.</summary>
        public DeleteAction DeleteAction { get; set; } = DeleteAction.Delete;

        /// <summary>
        /// Only these users, by WeCom userid (= the Authing link key, and the username of a user not linked yet); null:
        /// everyone. Each is read by itself on both sides (Authing get-user, WeCom user/get; upstream its rows of the
        /// file), with only the departments it needs, parents first: no listing of either pool. A user absent from the
        /// source is an error that says so, and is deleted or suspended (<see cref="DeleteAction"/>) only when deletes are
        /// asked for (downstream -Delete, upstream -Mode DeleteOnly), and only that user.
        /// </summary>
        public IList<string> UserIds { get; set; }

        /// <summary>A run of the named users only (<see cref="UserIds"/>).</summary>
        public bool OnDemand => UserIds != null;

        internal bool Scoped => (Department?.Count ?? 0) + (ExcludeDepartment?.Count ?? 0) > 0;

        /// <summary>The scope for a comparison; <paramref name="departments"/> resolves ids into subtrees (user comparisons).</summary>
        internal DepartmentScope Scope(IEnumerable<Department> departments = null)
        {
            if (!Scoped) return null;
            var scope = new DepartmentScope { Include = new List<string>(Department ?? new string[0]), Exclude = new List<string>(ExcludeDepartment ?? new string[0]) };
            if (departments != null) scope.Departments = new List<Department>(departments);
            return scope;
        }
    }
}
