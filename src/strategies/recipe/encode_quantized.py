# Stored values: integer codes q with CF scale_factor / add_offset (value = q * scale_factor + add_offset).


def encode(values, raw, facts):
    return quantize(values.astype(np.float64), quantization_plan(facts))


def stored_dtype(a, facts):
    return quantization_plan(facts)["dtype"]


def encoding_check(facts):
    if effective_eps(facts) <= 0:
        cost = facts["layout_error"]
        refuse("the triangle layout alone costs up to %.2e (half of max|A-At|), more than eps" % cost)


def encoding_attrs(facts):
    plan = quantization_plan(facts)
    return {"scale_factor": np.float64(plan["scale_factor"]), "add_offset": np.float64(plan["add_offset"])}


def decode(stored, attrs):
    # The CF convention: value = stored * scale_factor + add_offset (what xarray applies).
    return stored.astype(np.float64) * float(attrs["scale_factor"]) + float(attrs["add_offset"])
