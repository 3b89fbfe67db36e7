using System;
using System.Reflection;

namespace WeComSync.PowerShell.Loading
{
    /// <summary>
    /// An <c>AssemblyLoadContext</c> reached through reflection: the module targets netstandard2.0 so that Windows
    /// PowerShell 5.1 can load it, and netstandard2.0 has no such type. On .NET Framework <see cref="Create"/> returns null.
    /// </summary>
    internal sealed class LoadContextProxy
    {
        private readonly object context;
        private readonly object defaultContext;
        private readonly MethodInfo loadFromAssemblyPath;
        private readonly MethodInfo getLoadContext;

        private LoadContextProxy(Type type, string name)
        {
            // new AssemblyLoadContext(name, isCollectible: false): the dependencies stay loaded as long as the process.
            context = type.GetConstructor(new[] { typeof(string), typeof(bool) }).Invoke(new object[] { name, false });
            defaultContext = type.GetProperty("Default", BindingFlags.Public | BindingFlags.Static).GetValue(null);
            loadFromAssemblyPath = type.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            getLoadContext = type.GetMethod("GetLoadContext", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(Assembly) }, null);
        }

        internal static LoadContextProxy Create(string name)
        {
            Type type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            return type == null ? null : new LoadContextProxy(type, name);
        }

        internal Assembly LoadFromAssemblyPath(string path) => (Assembly)loadFromAssemblyPath.Invoke(context, new object[] { path });

        internal bool IsInDefaultContext(Assembly assembly) => ReferenceEquals(getLoadContext.Invoke(null, new object[] { assembly }), defaultContext);
    }
}
