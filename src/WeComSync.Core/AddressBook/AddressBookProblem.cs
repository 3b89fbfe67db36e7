using System;
using System.Collections.Generic;

namespace WeComSync.AddressBook
{
    /// <summary>How bad a problem is: an error skips the row (or stops a strict import), a warning only informs.</summary>
    public enum ProblemSeverity
    {
        Warning,
        Error,
    }

    /// <summary>Stable identifiers of every problem the reader reports (used as PowerShell ErrorIds).</summary>
    public static class ProblemCodes
    {
        // Whole-file problems: nothing (more) can be read.
        public const string FileNotFound = "AddressBookFileNotFound";
        public const string FileEmpty = "AddressBookFileEmpty";
        public const string FileLocked = "AddressBookFileLocked";
        public const string FileDenied = "AddressBookFileAccessDenied";
        public const string FileEncrypted = "AddressBookFileEncrypted";
        public const string NotASpreadsheet = "AddressBookNotASpreadsheet";
        public const string SheetNotFound = "AddressBookSheetNotFound";
        public const string HeaderNotFound = "AddressBookHeaderNotFound";
        public const string MissingColumn = "AddressBookMissingColumn";
        public const string NoMembers = "AddressBookNoMembers";
        public const string CellTooLong = "AddressBookCellTooLong";
        public const string TooLarge = "AddressBookTooLarge";
        public const string DtdRefused = "AddressBookDtdRefused";

        // Row problems: the row is skipped.
        public const string EmptyName = "AddressBookEmptyName";
        public const string NameTooLong = "AddressBookNameTooLong";
        public const string InvalidName = "AddressBookInvalidName";
        public const string UnreadableCell = "AddressBookUnreadableCell";
        public const string EmptyUserId = "AddressBookEmptyUserId";
        public const string InvalidUserId = "AddressBookInvalidUserId";
        public const string DuplicateUserId = "AddressBookDuplicateUserId";
        public const string NoMobileOrEmail = "AddressBookNoMobileOrEmail";
        public const string InvalidMobile = "AddressBookInvalidMobile";
        public const string InvalidEmail = "AddressBookInvalidEmail";
        public const string DepartmentTooDeep = "AddressBookDepartmentTooDeep";
        public const string InvalidDepartmentName = "AddressBookInvalidDepartmentName";
        public const string TooManyDepartments = "AddressBookTooManyDepartments";
        public const string WrongDepartmentSeparator = "AddressBookWrongDepartmentSeparator";

        // Found when the rows are compared with the target: the row is skipped as a bad row is.
        public const string LeadingZerosLost = "AddressBookLeadingZerosLost";

        // Warnings.
        public const string SheetSkipped = "AddressBookSheetSkipped";
        public const string SeveralTopDepartments = "AddressBookSeveralTopDepartments";
        public const string TopDepartmentUnknown = "AddressBookTopDepartmentUnknown";
        public const string ValuesMasked = "AddressBookValuesMasked";
        public const string CellUnknown = "AddressBookCellUnknown";
        public const string HiddenSheetSkipped = "AddressBookHiddenSheetSkipped";
        public const string SeveralSheets = "AddressBookSeveralSheets";
        public const string IncompleteForDeletes = "AddressBookIncompleteForDeletes";
        public const string HiddenRowsRead = "AddressBookHiddenRowsRead";
        public const string PositionTooLong = "AddressBookPositionTooLong";
    }

    /// <summary>
    /// One thing wrong with the file or a row. Every message names the file, the sheet and the 1-based Excel row
    /// (the number an admin sees in Excel), and says what to do.
    /// </summary>
    public sealed class AddressBookProblem
    {
        public AddressBookProblem(string code, ProblemSeverity severity, ProblemKind kind, string message, AddressBookRow row = null)
        {
            Code = code;
            Severity = severity;
            Kind = kind;
            Message = message;
            Row = row;
        }

        public string Code { get; }
        public ProblemSeverity Severity { get; }
        public ProblemKind Kind { get; }
        public string Message { get; }

        /// <summary>The row the problem is about; null for whole-file problems.</summary>
        public AddressBookRow Row { get; }

        public override string ToString() => Message;
    }

    /// <summary>A problem that stops the import: a bad file, a missing column, or the first bad row under -Strict.</summary>
    public sealed class AddressBookException : Exception
    {
        public AddressBookException(AddressBookProblem problem, Exception inner = null)
            : base(problem.Message, inner)
        {
            Problem = problem;
        }

        public AddressBookProblem Problem { get; }
    }

    /// <summary>One spreadsheet row as read, kept for error messages (an error's TargetObject).</summary>
    public sealed class AddressBookRow
    {
        public string File { get; set; }
        public string Sheet { get; set; }

        /// <summary>1-based, as Excel numbers rows.</summary>
        public int Row { get; set; }

        /// <summary>Header → cell text, in column order.</summary>
        public IDictionary<string, string> Cells { get; set; } = new Dictionary<string, string>();

        public string Origin => AddressBookReader.FormatOrigin(File, Sheet, Row);

        public override string ToString() => Origin;
    }
}
