using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using WeComSync.AddressBook;
using WeComSync.Comparison;
using WeComSync.RunLog;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>Tab completion helpers: candidates that start with what was typed, quoted when they need it.</summary>
    internal static class Completion
    {
        public static IEnumerable<CompletionResult> Matching(IEnumerable<(string Value, string ToolTip)> candidates, string typed)
        {
            string prefix = (typed ?? "").Trim('\'', '"');
            foreach (var (value, tip) in candidates)
            {
                if (string.IsNullOrEmpty(value) || !value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
                string text = value.IndexOfAny(new[] { ' ', '\'', '"', '$', '(', ')', ';', ',', '{', '}', '@', '#', '`' }) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;
                yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(tip) ? value : tip);
            }
        }

        /// <summary>The file-system path a bound parameter (-Path, -LiteralPath …) names, resolved against the current location, or null.</summary>
        public static string BoundPath(IDictionary bound, params string[] names)
        {
            foreach (string name in names)
            {
                if (bound == null || !bound.Contains(name)) continue;
                object value = bound[name];
                if (value is PSObject pso) value = pso.BaseObject;
                if (value is IEnumerable items && !(value is string)) value = items.Cast<object>().FirstOrDefault();
                string path = value?.ToString();
                if (string.IsNullOrWhiteSpace(path)) continue;
                try
                {
                    using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
                    {
                        var resolved = ps.AddCommand("Resolve-Path").AddParameter("LiteralPath", path).AddParameter("ErrorAction", "Ignore").Invoke();
                        if (resolved.Count > 0) return ((PathInfo)resolved[0].BaseObject).ProviderPath;
                    }
                }
                catch (Exception) { }
                return System.IO.Path.GetFullPath(path);
            }
            return null;
        }
    }

    /// <summary>-Property / -ExcludeProperty: the user fields a comparison knows.</summary>
    public sealed class UserFieldCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completion.Matching(UserFields.Names.Select(n => (n, $"user field {n}")), wordToComplete);
    }

    /// <summary>-OrganizationCode: the Authing connection's organization.</summary>
    public sealed class OrganizationCodeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var connection = AuthingSession.Current;
            if (connection?.OrganizationCode == null) return Enumerable.Empty<CompletionResult>();
            return Completion.Matching(new[] { (connection.OrganizationCode, $"the organization of {connection}") }, wordToComplete);
        }
    }

    /// <summary>Get-WeComSyncLog -Run: the runs under -Path (or WECOMSYNC_LOG_PATH, or here), newest first.</summary>
    public sealed class RunIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string root = Completion.BoundPath(fakeBoundParameters, "Path", "LogPath") ?? Environment.GetEnvironmentVariable("WECOMSYNC_LOG_PATH") ?? Environment.CurrentDirectory;
            List<RunRecord> runs;
            try { runs = RunLogReader.GetRuns(root).Take(50).ToList(); }
            catch (Exception) { return Enumerable.Empty<CompletionResult>(); }
            return Completion.Matching(runs.Select(r => (r.ShortId, $"{r.RunId}: {r.Status}")), wordToComplete);
        }
    }

    /// <summary>Import-WeComAddressBook -Sheet: the sheet names of the file given with -Path or -LiteralPath.</summary>
    public sealed class SheetCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string file = Completion.BoundPath(fakeBoundParameters, "LiteralPath", "Path");
            if (file == null || !System.IO.File.Exists(file)) return Enumerable.Empty<CompletionResult>();
            IReadOnlyList<string> names;
            try { names = AddressBookReader.SheetNames(file); }
            catch (Exception) { return Enumerable.Empty<CompletionResult>(); }
            return Completion.Matching(names.Select((n, i) => (n, $"sheet {i}: {n}")), wordToComplete);
        }
    }
}
