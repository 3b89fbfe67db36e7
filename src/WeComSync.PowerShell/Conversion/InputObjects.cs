using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace WeComSync.PowerShell.Conversion
{
    /// <summary>
    /// One side of a comparison as it arrived: whole lists (a bound array of 100 000 users) are kept as they are, not
    /// copied; single pipeline objects and lazy sequences are gathered in a list of our own. Conversion then passes model
    /// objects through untouched and converts only what is not one yet.
    /// </summary>
    internal sealed class InputObjects
    {
        private readonly List<IList> _segments = new List<IList>();

        public int Count
        {
            get
            {
                int count = 0;
                foreach (var segment in _segments) count += segment.Count;
                return count;
            }
        }

        /// <summary>Adds a list, a sequence or one object (a PSObject wrapping a list counts as the list).</summary>
        public InputObjects Add(object input)
        {
            var raw = input is PSObject pso && !(pso.BaseObject is PSCustomObject) ? pso.BaseObject : input;
            if (raw == null) return this;
            if (raw is IList items && !(raw is string)) { _segments.Add(items); return this; }
            if (_segments.Count == 0 || !(_segments[_segments.Count - 1] is List<object> own)) _segments.Add(own = new List<object>());
            if (raw is IEnumerable e && !(raw is string) && !(raw is IDictionary) && !(raw is PSObject)) { foreach (var item in e) own.Add(item); }
            else own.Add(input);
            return this;
        }

        /// <summary>The first item that is not null (to tell users from departments), or null.</summary>
        public object FirstNonNull()
        {
            foreach (var segment in _segments)
                foreach (var item in segment)
                    if (item != null) return item;
            return null;
        }

        /// <summary>The first item, null or not (the target of an error about the input).</summary>
        public object First()
        {
            foreach (var segment in _segments)
                if (segment.Count > 0) return segment[0];
            return null;
        }

        /// <summary>
        /// The model objects in order: a <typeparamref name="T"/> as is, anything else through <paramref name="convert"/>.
        /// Nulls are skipped; an item that does not convert goes to <paramref name="leftOut"/> with its 1-based position.
        /// </summary>
        public List<T> Convert<T>(Func<object, T> convert, Action<object, int, ArgumentException> leftOut) where T : class
        {
            var list = new List<T>(Count);
            int index = 0;
            void Add(object item)
            {
                index++;
                if (item == null) return;
                if (item is T model) { list.Add(model); return; }
                try { list.Add(convert(item)); }
                catch (ArgumentException ex) { leftOut(item, index, ex); }
            }
            foreach (var segment in _segments)
            {
                // Arrays (also typed ones, by covariance) and our own lists are read directly: IList's indexer on an
                // array goes through Array.GetValue, slow at 100 000 items.
                if (segment is object[] array) foreach (var item in array) Add(item);
                else if (segment is List<object> own) foreach (var item in own) Add(item);
                else for (int i = 0; i < segment.Count; i++) Add(segment[i]);
            }
            return list;
        }
    }
}
