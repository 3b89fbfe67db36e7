using System;
using System.IO;
using System.Runtime.InteropServices;

namespace WeComSync.RunLog
{
    /// <summary>
    /// A file only the account that writes it may read: the run log's before-images (before.jsonl), which hold personal
    /// data unmasked even when the run masks it (docs/ARCHITECTURE.md §8). On Linux and macOS the file is made mode 0600
    /// before anything is written to it. On Windows it keeps the log folder's ACL (a profile folder is the user's own;
    /// a shared log folder needs its ACL set by the admin): netstandard2.0 has no ACL API without another package.
    /// </summary>
    internal static class OwnerOnly
    {
        private const int UserReadWrite = 0x180;   // 0600

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);

        /// <summary>Creates <paramref name="path"/> (it must not exist) readable and writable by its owner only, where the OS allows it.</summary>
        public static FileStream Create(string path)
        {
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            Restrict(path);
            return stream;
        }

        /// <summary>Mode 0600 on Unix; true when it was set.</summary>
        public static bool Restrict(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return false;
            try
            {
                return Chmod(path, UserReadWrite) == 0;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return false;
            }
        }
    }
}
