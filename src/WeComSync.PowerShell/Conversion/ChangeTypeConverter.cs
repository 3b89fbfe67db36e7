using System;
using System.Management.Automation;
using WeComSync.Model;

namespace WeComSync.PowerShell.Conversion
{
    /// <summary>
    /// Rebuilds a saved plan's changes as live <see cref="Change"/> objects when they are deserialized (Import-Clixml,
    /// remoting): WeComSync.Types.ps1xml names <see cref="Change"/> as the target type of "Deserialized.WeComSync.Model.Change"
    /// and this as its converter. So <c>Import-Clixml plan.xml | Where-Object Operation -eq Delete</c> filters, groups and
    /// sorts by the enums' names (a deserialized enum would be a bare number), and the plan view shows the saved plan as it was.
    /// </summary>
    public sealed class ChangeTypeConverter : PSTypeConverter
    {
        public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
            destinationType == typeof(Change) && sourceValue is PSObject pso && IsSavedChange(pso);

        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            try { return ModelConverter.ToChange(sourceValue); }
            catch (ArgumentException e) { throw new PSInvalidCastException("The saved plan change cannot be read back: " + e.Message, e); }
        }

        public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
            throw new InvalidCastException();

        private static bool IsSavedChange(PSObject pso)
        {
            foreach (var name in pso.TypeNames)
            {
                if (name == "Deserialized." + typeof(Change).FullName) return true;
            }
            return false;
        }
    }
}
