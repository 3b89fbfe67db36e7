using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace WeComSync.Model
{
    /// <summary>
    /// The names of custom fields (an export's own columns, mapped custom data keys and extattr names), each given a
    /// slot number the first time it is met, for the life of the process. A user keeps its custom values in an array
    /// by slot (<see cref="ExtraFields"/>), so a comparison reads a mapped field by index instead of hashing its name
    /// twice for every pair of users. Slots are never reused: names are few (the columns of the files and the keys
    /// of the maps a session met).
    /// </summary>
    internal static class ExtraSlots
    {
        private static readonly ConcurrentDictionary<string, int> BySlotName = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        private static readonly object Gate = new object();
        private static string[] _names = new string[16];
        private static int _count;

        /// <summary>The slot of a name, given one if it has none yet.</summary>
        public static int Of(string name)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            if (BySlotName.TryGetValue(name, out int slot)) return slot;
            lock (Gate)
            {
                if (BySlotName.TryGetValue(name, out slot)) return slot;
                if (_count == _names.Length)
                {
                    var grown = new string[_count * 2];
                    Array.Copy(_names, grown, _count);
                    Volatile.Write(ref _names, grown);
                }
                slot = _count;
                _names[slot] = name;
                Volatile.Write(ref _count, slot + 1);
                BySlotName[name] = slot;   // published last: a slot found by name always has its name
                return slot;
            }
        }

        /// <summary>The slot of a name; -1 when no one has used it (a lookup never takes a slot).</summary>
        public static int Find(string name) => name != null && BySlotName.TryGetValue(name, out int slot) ? slot : -1;

        public static string NameOf(int slot) => Volatile.Read(ref _names)[slot];

        /// <summary>How many names have a slot.</summary>
        public static int Count => Volatile.Read(ref _count);
    }

    /// <summary>
    /// A user's custom columns (export) or custom data (Authing) that are not model fields, by name: a dictionary to
    /// PowerShell, Export-Clixml and the run log ("key=value; key=value" as text), over the values the user keeps in
    /// an array by <see cref="ExtraSlots"/> slot. A null value is no value: setting one removes the name (unknown, as
    /// everywhere in the model). Names compare ordinally; they enumerate in the order the process first met them (an
    /// export's column order). A view: writing to it writes the user's values.
    /// </summary>
    public sealed class ExtraFields : IDictionary<string, string>, IReadOnlyDictionary<string, string>, IDictionary
    {
        private readonly User _owner;

        internal ExtraFields(User owner) { _owner = owner; }

        /// <summary>The values of <paramref name="items"/> as a slot array (null when none): a copy, never the caller's.</summary>
        internal static string[] ToSlots(IEnumerable<KeyValuePair<string, string>> items)
        {
            if (items is ExtraFields view) return (string[])view._owner.ExtraSlotValues?.Clone();
            if (items == null) return null;
            string[] values = null;
            foreach (var e in items) values = Put(values, ExtraSlots.Of(Key(e.Key)), e.Value);
            return values;
        }

        /// <summary>Sets a slot's value in a slot array, growing it as needed; null removes it. Returns the array.</summary>
        internal static string[] Put(string[] values, int slot, string value)
        {
            if (values == null || slot >= values.Length)
            {
                if (value == null) return values;
                // Sized for every name known so far: a user usually gets all of a file's columns, one after another.
                var grown = new string[Math.Max(slot + 1, ExtraSlots.Count)];
                if (values != null) Array.Copy(values, grown, values.Length);
                values = grown;
            }
            values[slot] = value;
            return values;
        }

        public string this[string key]
        {
            get => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"The user has no custom field '{key}'.");
            set => _owner.SetExtra(ExtraSlots.Of(Key(key)), value);
        }

        public int Count
        {
            get
            {
                var values = _owner.ExtraSlotValues;
                int n = 0;
                if (values != null) foreach (var v in values) if (v != null) n++;
                return n;
            }
        }

        public bool ContainsKey(string key) => _owner.ExtraAt(ExtraSlots.Find(Key(key))) != null;

        public bool TryGetValue(string key, out string value)
        {
            value = _owner.ExtraAt(ExtraSlots.Find(Key(key)));
            return value != null;
        }

        public void Add(string key, string value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value), $"Custom field '{key}': a value is needed (null is no value).");
            if (ContainsKey(key)) throw new ArgumentException($"The user already has custom field '{key}'.", nameof(key));
            this[key] = value;
        }

        public bool Remove(string key)
        {
            int slot = ExtraSlots.Find(Key(key));
            if (_owner.ExtraAt(slot) == null) return false;
            _owner.SetExtra(slot, null);
            return true;
        }

        public void Clear() => _owner.ExtraSlotValues = null;

        public IEnumerable<string> Keys => this.Select(e => e.Key);
        public IEnumerable<string> Values => this.Select(e => e.Value);

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            var values = _owner.ExtraSlotValues;
            if (values == null) yield break;
            for (int slot = 0; slot < values.Length; slot++)
                if (values[slot] != null) yield return new KeyValuePair<string, string>(ExtraSlots.NameOf(slot), values[slot]);
        }

        public override string ToString() => string.Join("; ", this.Select(p => p.Key + "=" + p.Value));

        private static string Key(string key) => key ?? throw new ArgumentNullException(nameof(key));

        // IDictionary<string, string>
        ICollection<string> IDictionary<string, string>.Keys => Keys.ToList();
        ICollection<string> IDictionary<string, string>.Values => Values.ToList();
        bool ICollection<KeyValuePair<string, string>>.IsReadOnly => false;
        void ICollection<KeyValuePair<string, string>>.Add(KeyValuePair<string, string> item) => Add(item.Key, item.Value);
        bool ICollection<KeyValuePair<string, string>>.Contains(KeyValuePair<string, string> item) => TryGetValue(item.Key, out var v) && v == item.Value;
        bool ICollection<KeyValuePair<string, string>>.Remove(KeyValuePair<string, string> item) =>
            ((ICollection<KeyValuePair<string, string>>)this).Contains(item) && Remove(item.Key);
        void ICollection<KeyValuePair<string, string>>.CopyTo(KeyValuePair<string, string>[] array, int index)
        {
            foreach (var e in this) array[index++] = e;
        }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        // The non-generic dictionary PowerShell knows: $user.Extra.工号, Format-List, Export-Clixml's <DCT>.
        object IDictionary.this[object key]
        {
            get => key is string k && TryGetValue(k, out var v) ? v : null;
            set => this[Text(key, nameof(key))] = value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        ICollection IDictionary.Keys => Keys.ToList();
        ICollection IDictionary.Values => Values.ToList();
        bool IDictionary.IsReadOnly => false;
        bool IDictionary.IsFixedSize => false;
        bool IDictionary.Contains(object key) => key is string k && ContainsKey(k);
        void IDictionary.Add(object key, object value) => Add(Text(key, nameof(key)), value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
        void IDictionary.Remove(object key) { if (key is string k) Remove(k); }
        IDictionaryEnumerator IDictionary.GetEnumerator() => this.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal).GetEnumerator();
        bool ICollection.IsSynchronized => false;
        object ICollection.SyncRoot => this;
        void ICollection.CopyTo(Array array, int index)
        {
            foreach (var e in this) array.SetValue(new DictionaryEntry(e.Key, e.Value), index++);
        }

        private static string Text(object key, string parameter) =>
            key as string ?? throw new ArgumentException("A custom field's name is text.", parameter);
    }
}
