using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("WeComSync.Core.Tests")]
