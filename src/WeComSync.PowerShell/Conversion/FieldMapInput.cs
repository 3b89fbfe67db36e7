using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Newtonsoft.Json.Linq;
using WeComSync.Model;

namespace WeComSync.PowerShell.Conversion
{
    /// <summary>
    /// -FieldMap as given: a hashtable (source = target), or the path of a .psd1 or .json file holding one. A file (or
    /// hashtable) may also hold one map per API: @{ Authing = @{ …}; WeCom = @{ … } }, so one file serves both directions.
    /// Bad input throws <see cref="ArgumentException"/> naming the file and the entry.
    /// </summary>
    public static class FieldMapInput
    {
        /// <summary>
        /// A cmdlet's -FieldMap merged over its connection's map; the connection's alone when none is given. A bad map
        /// ends the cmdlet (nothing read or written) with the entry and what to write instead.
        /// </summary>
        public static FieldMap Resolve(PSCmdlet cmdlet, object value, FieldSide side, FieldMap connection)
        {
            if (value == null) return connection;
            try
            {
                var map = Read(value, side, cmdlet.SessionState);
                return connection == null ? map : connection.Merge(map);
            }
            catch (ArgumentException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "InvalidFieldMap", ErrorCategory.InvalidArgument, value)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Map a model field or export column to a field of the API, customData.<key> (Authing) or extattr.<name> (WeCom); Get-WeComSyncFieldMap shows the fields." },
                });
                return null;
            }
        }

        public static FieldMap Read(object value, FieldSide side, SessionState state)
        {
            var raw = ModelConverter.Unwrap(value, out _);
            if (raw == null) return null;
            if (raw is FieldMap map) return map.Side == side ? map : throw new ArgumentException($"-FieldMap: this map is for {map.Side}, not {side}.");
            var entries = Entries(raw, state, out var origin);
            var sideMap = Find(entries, side.ToString());
            if (sideMap != null) entries = sideMap as IDictionary ?? ModelConverter.ToDictionary(sideMap);
            else if (Find(entries, (side == FieldSide.Authing ? FieldSide.WeCom : FieldSide.Authing).ToString()) != null) return FieldMap.Empty(side);

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (DictionaryEntry e in entries)
            {
                var target = ModelConverter.Unwrap(e.Value, out _);
                if (target != null && !(target is string))
                    throw new ArgumentException($"{origin}: the target of '{e.Key}' must be text (a field name, customData.<key> or extattr.<name>).");
                pairs.Add(new KeyValuePair<string, string>(ModelConverter.Str(e.Key), (string)target));
            }
            try { return FieldMap.Create(pairs, side); }
            catch (ArgumentException ex) when (origin != "-FieldMap") { throw new ArgumentException(origin + ": " + ex.Message.Replace("-FieldMap: ", ""), ex); }
        }

        /// <summary>
        /// The sources of a -FieldMap that are not built-in fields (工号 …): what Compare-Directory compares besides the
        /// model's fields. Targets are not checked here (the API cmdlets check them); a map per API gives the union.
        /// </summary>
        public static List<string> MappedSources(object value, SessionState state)
        {
            var raw = ModelConverter.Unwrap(value, out _);
            if (raw == null) return new List<string>();
            if (raw is FieldMap map) return map.MappedFields.ToList();
            var entries = Entries(raw, state, out _);
            var maps = new[] { Find(entries, nameof(FieldSide.Authing)), Find(entries, nameof(FieldSide.WeCom)) }.Where(m => m != null)
                .Select(m => m as IDictionary ?? ModelConverter.ToDictionary(m)).ToList();
            if (maps.Count == 0) maps.Add(entries);
            return maps.SelectMany(m => m.Keys.Cast<object>()).Select(k => (ModelConverter.Str(k) ?? "").Trim())
                .Where(k => k.Length > 0 && UserFieldRegistry.FindByHeader(k) == null).Distinct(StringComparer.Ordinal).ToList();
        }

        private static IDictionary Entries(object raw, SessionState state, out string origin)
        {
            origin = "-FieldMap";
            if (raw is string path)
            {
                var full = state.Path.GetUnresolvedProviderPathFromPSPath(path);
                origin = $"-FieldMap file '{full}'";
                if (!File.Exists(full)) throw new ArgumentException($"{origin} does not exist. Give a hashtable or the path of a .psd1 or .json file.");
                return ReadFile(full, origin);
            }
            return raw as IDictionary ?? (raw is PSObject pso ? ModelConverter.ToDictionary(pso) : null)
                ?? throw new ArgumentException("-FieldMap takes a hashtable (@{ '工号' = 'externalId' }) or the path of a .psd1 or .json file.");
        }

        private static object Find(IDictionary entries, string key)
        {
            foreach (DictionaryEntry e in entries)
                if (string.Equals(ModelConverter.Str(e.Key), key, StringComparison.OrdinalIgnoreCase))
                {
                    var v = ModelConverter.Unwrap(e.Value, out _);
                    return v is IDictionary || v is PSObject ? v : null;
                }
            return null;
        }

        private static IDictionary ReadFile(string path, string origin)
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                JObject json;
                try { json = JObject.Parse(File.ReadAllText(path)); }
                catch (Exception e) when (e is Newtonsoft.Json.JsonException) { throw new ArgumentException($"{origin} is not a JSON object: {e.Message}"); }
                return ToHashtable(json);
            }
            if (path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
            {
                // A data file, read as Import-PowerShellDataFile does: parsed, never run.
                var ast = Parser.ParseFile(path, out _, out var errors);
                if (errors.Length > 0) throw new ArgumentException($"{origin} line {errors[0].Extent.StartLineNumber}: {errors[0].Message}");
                var table = ast.Find(a => a is HashtableAst, false) as HashtableAst
                    ?? throw new ArgumentException($"{origin} holds no hashtable: write @{{ '工号' = 'externalId' }}.");
                try { return (IDictionary)table.SafeGetValue(); }
                catch (InvalidOperationException e) { throw new ArgumentException($"{origin}: {e.Message} (a field map holds only text)."); }
            }
            throw new ArgumentException($"{origin} is neither .psd1 nor .json.");
        }

        private static Hashtable ToHashtable(JObject json)
        {
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var p in json.Properties())
                table[p.Name] = p.Value is JObject o ? ToHashtable(o) : p.Value.Type == JTokenType.Null ? null : (object)p.Value.ToString();
            return table;
        }
    }
}
