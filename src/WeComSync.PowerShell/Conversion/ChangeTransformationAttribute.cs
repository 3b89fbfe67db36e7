using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using WeComSync.Model;

namespace WeComSync.PowerShell.Conversion
{
    /// <summary>
    /// Put on a <c>Change[]</c> parameter so a saved plan binds: <c>Import-Clixml plan.xml | Sync-AuthingUser</c>.
    /// Live Change objects pass through untouched; deserialized ones are rebuilt by <see cref="ModelConverter.ToChange"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
    public sealed class ChangeTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            try
            {
                var raw = ModelConverter.Unwrap(inputData, out _);
                if (raw == null || raw is Change || raw is Change[]) return raw;
                if (raw is IEnumerable items && !(raw is string) && !(raw is IDictionary) && !(raw is PSObject))
                {
                    var list = new List<Change>();
                    foreach (var item in items) list.Add(ModelConverter.ToChange(item));
                    return list.ToArray();
                }
                return ModelConverter.ToChange(inputData);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentTransformationMetadataException(ex.Message, ex);
            }
        }
    }
}
