using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Comparison
{
    /// <summary>
    /// A scoped user plan (-Department, -ExcludeDepartment): a member in scope may also be in departments outside it.
    /// The scoped department step creates only the departments in scope, so such a member is written with the
    /// departments that are in scope or already exist in the target; a membership outside the scope in a department the
    /// target does not have is left alone (not written, not planned), and the plan counts those members once
    /// (<see cref="PlanContext.OutOfScopeMembershipCount"/>). Without this the member's create failed ("department does not
    /// exist") and the member was lost from the scoped run.
    /// </summary>
    internal static class ScopedMemberships
    {
        /// <summary>The changes with such memberships left out of the users' desired departments; an update left with nothing to do is dropped.</summary>
        public static List<Change> Trim(List<Change> changes, DepartmentScope.Filter scope, IEnumerable<Department> departments, PlanContext context)
        {
            var all = (departments ?? Enumerable.Empty<Department>()).Where(d => d != null).ToList();
            var kept = new List<Change>(changes.Count);
            foreach (var change in changes)
            {
                if (change.Kind != ObjectKind.User || !(change.Operation == ChangeOperation.Create || change.Operation == ChangeOperation.Update)
                    || !(change.Desired is User desired) || desired.Departments == null || desired.Departments.Count == 0)
                {
                    kept.Add(change);
                    continue;
                }
                // The target's departments: those not of the side the wanted user comes from.
                bool Exists(string reference) => all.Any(d => d.Source != desired.Source && (d.LinkId == reference || d.Path == reference || d.Key == reference));
                var outside = desired.Departments.Where(r => !scope.Contains(r) && !Exists(r)).ToList();
                if (outside.Count == 0 || outside.Count == desired.Departments.Count)
                {
                    kept.Add(change);   // nothing to leave out; or nothing in scope at all (then it is not a member in scope)
                    continue;
                }
                var trimmed = desired.Clone();
                var keep = Enumerable.Range(0, desired.Departments.Count).Where(i => !outside.Contains(desired.Departments[i])).ToList();
                trimmed.Departments = keep.Select(i => desired.Departments[i]).ToList();
                if (desired.DepartmentPaths != null && desired.DepartmentPaths.Count == desired.Departments.Count)
                    trimmed.DepartmentPaths = keep.Select(i => desired.DepartmentPaths[i]).ToList();
                change.Desired = trimmed;
                context.OutOfScopeMembershipCount++;
                if (context.OutOfScopeMembershipExample == null)
                {
                    int first = desired.Departments.IndexOf(outside[0]);
                    string path = desired.DepartmentPaths != null && first < desired.DepartmentPaths.Count ? desired.DepartmentPaths[first] : outside[0];
                    context.OutOfScopeMembershipExample = $"{change.Key} in {path}";
                }
                if (change.Operation == ChangeOperation.Update && !Retarget(change, trimmed)) continue;   // nothing left to update
                kept.Add(change);
            }
            return kept;
        }

        /// <summary>The update's Departments field as trimmed; false when the update then changes nothing.</summary>
        private static bool Retarget(Change change, User trimmed)
        {
            var field = change.Fields.FirstOrDefault(f => string.Equals(f.Field, nameof(User.Departments), StringComparison.OrdinalIgnoreCase));
            if (field == null) return change.Fields.Count > 0;
            var current = (change.Current as User)?.Departments;
            if (current != null && DepartmentList.Same(current, trimmed.Departments)) change.Fields.Remove(field);
            else field.New = trimmed.Departments;
            return change.Fields.Count > 0;
        }
    }
}
