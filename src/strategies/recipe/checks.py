# The app's refusals for this strategy (its `unsupported`), made before anything is written.


def check(facts):
    if facts is None:
        return
    if NAN_REFUSAL is not None and facts["nan"] + facts["inf"] > 0:
        refuse(NAN_REFUSAL)
    if SCALEOFFSET_DECIMALS is not None:
        # The filter maps (x - min) * 10^D to an unsigned integer of the float's width.
        if (facts["max"] - facts["min"]) * 10**SCALEOFFSET_DECIMALS >= SCALEOFFSET_LIMIT:
            d = SCALEOFFSET_DECIMALS
            refuse("range x 10^%d does not fit the integers the scaleoffset filter uses" % d)
    encoding_check(facts)
