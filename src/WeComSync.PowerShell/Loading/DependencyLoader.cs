using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace WeComSync.PowerShell.Loading
{
    /// <summary>
    /// Keeps the module's private dependencies (Polly, ExcelDataReader, System.Threading.RateLimiting …, shipped in the
    /// module's <c>dependencies/</c> folder) out of the way of other modules' copies of the same assemblies.
    /// </summary>
    /// <remarks>
    /// The approach is PSResourceGet's (src/code/ModuleInitAndCleanup.cs in PowerShell/PSResourceGet): the two assemblies
    /// whose types cross into PowerShell (WeComSync.Core, WeComSync.PowerShell) live in the default load context, where
    /// PowerShell resolves type names such as <c>[WeComSync.Model.Change]</c>; the dependencies sit in a subfolder the
    /// default context never probes, so a request for one fails there and reaches <see cref="Resolve"/>. On PowerShell 7
    /// it loads the file into a load context of its own, so another version that another module loaded (before or after
    /// us) lives beside ours. Windows PowerShell 5.1 (.NET Framework) has no load contexts: there the file is loaded with
    /// <see cref="Assembly.LoadFrom(string)"/>, as powershell.exe would, and no isolation is possible.
    ///
    /// Assemblies the host already provides (on PowerShell 7, the ones in the runtime's trusted platform list, such as
    /// System.Memory and Newtonsoft.Json) are bound by the default context before any request reaches us.
    /// An assembly that another module loaded first with the same or a higher assembly version also is: .NET unifies
    /// the request with it (Polly keeps 8.0.0.0 across all 8.x releases). <see cref="GetSharedDependencies"/> names
    /// such copies so the root module can warn.
    /// </remarks>
    public sealed class DependencyLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>The name of the load context the dependencies go to on PowerShell 7.</summary>
        public const string LoadContextName = "WeComSync";

        private const string DependencyFolderName = "dependencies";

        private static readonly object Gate = new object();
        private static readonly string ModuleDirectory;
        private static readonly string DependencyDirectory;
        // Simple name -> the file in dependencies/.
        private static readonly Dictionary<string, Dependency> Dependencies = new Dictionary<string, Dependency>(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private static readonly LoadContextProxy Context;
        private static bool handlerAttached;

        static DependencyLoader()
        {
            ModuleDirectory = Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location);
            DependencyDirectory = Path.Combine(ModuleDirectory, DependencyFolderName);
            // Without the folder (the build output, the unit tests) the dependencies sit next to the dll and load as usual.
            if (Directory.Exists(DependencyDirectory))
            {
                foreach (string file in Directory.EnumerateFiles(DependencyDirectory, "*.dll"))
                {
                    AssemblyName name = AssemblyName.GetAssemblyName(file);
                    Dependencies[name.Name] = new Dependency(name.Name, name.Version, file);
                }
            }
            Context = LoadContextProxy.Create(LoadContextName);
        }

        /// <summary>True when the dependencies load into their own context (PowerShell 7), false on .NET Framework.</summary>
        public static bool IsIsolated => Context != null;

        /// <summary>Called by PowerShell when the module is imported, before any cmdlet runs.</summary>
        public void OnImport()
        {
            lock (Gate)
            {
                if (handlerAttached) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                handlerAttached = true;
            }
        }

        /// <summary>Called by PowerShell when the module is removed.</summary>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                handlerAttached = false;
            }
        }

        /// <summary>
        /// Dependencies that WeComSync will use from another module's copy, because that copy was loaded into the default
        /// context first with an assembly version .NET accepts for ours, from a different build than the one we ship:
        /// one line each, "Polly.Core 8.1.0 (WeComSync ships 8.4.2) from /path/Polly.Core.dll". Empty on .NET Framework.
        /// </summary>
        public static string[] GetSharedDependencies()
        {
            if (Context == null) return new string[0];
            var shared = new List<string>();
            foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic || !Context.IsInDefaultContext(assembly)) continue;
                AssemblyName name = assembly.GetName();
                if (!Dependencies.TryGetValue(name.Name, out Dependency ours) || name.Version < ours.Version) continue;
                string location = assembly.Location;
                if (string.IsNullOrEmpty(location) || IsHostAssembly(location)) continue;
                string theirs = FileVersion(location);
                string shipped = FileVersion(ours.Path);
                if (theirs == shipped) continue;
                shared.Add($"{name.Name} {theirs} (WeComSync ships {shipped}) from {location}");
            }
            return shared.ToArray();
        }

        private static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (requested.Name == null || !Dependencies.TryGetValue(requested.Name, out Dependency file)) return null;
            // Only our own assemblies get our copies; another module asking for the same name is left to its own resolver.
            // (The requester is unknown for some loads on .NET Framework, and for Type.GetType with an assembly name.)
            if (args.RequestingAssembly != null && !IsOurs(args.RequestingAssembly)) return null;

            lock (Gate)
            {
                if (Loaded.TryGetValue(file.Name, out Assembly assembly)) return assembly;
                assembly = Context != null ? Context.LoadFromAssemblyPath(file.Path) : Assembly.LoadFrom(file.Path);
                Loaded[file.Name] = assembly;
                return assembly;
            }
        }

        private static bool IsOurs(Assembly assembly)
        {
            if (assembly.IsDynamic) return false;
            string directory = Path.GetDirectoryName(assembly.Location);
            return SamePath(directory, ModuleDirectory) || SamePath(directory, DependencyDirectory);
        }

        private static bool SamePath(string a, string b) =>
            !string.IsNullOrEmpty(a) && string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar),
                Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);

        // PowerShell's own copies (Newtonsoft.Json in $PSHOME) and the runtime's: the host's to choose, not a conflict.
        private static bool IsHostAssembly(string location)
        {
            var trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string;
            return trusted != null && trusted.Split(Path.PathSeparator).Any(path => SamePath(path, location));
        }

        private static string FileVersion(string path)
        {
            var info = System.Diagnostics.FileVersionInfo.GetVersionInfo(path);
            // The informational version is the package version ("8.4.2+sha"); the file version is the fallback.
            string version = info.ProductVersion ?? info.FileVersion ?? "?";
            int plus = version.IndexOf('+');
            return plus > 0 ? version.Substring(0, plus) : version;
        }

        private sealed class Dependency
        {
            internal Dependency(string name, Version version, string path) { Name = name; Version = version; Path = path; }
            internal string Name { get; }
            internal Version Version { get; }
            internal string Path { get; }
        }
    }
}
