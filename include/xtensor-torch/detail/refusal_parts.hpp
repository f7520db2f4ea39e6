// The problem, found and expected parts of a refusal's message, and the parts worded for more than one layer:
// here, without ATen, so that the stable ABI's header words them as the import layer does.
#ifndef XTENSOR_TORCH_DETAIL_REFUSAL_PARTS_HPP
#define XTENSOR_TORCH_DETAIL_REFUSAL_PARTS_HPP

#include <string>

namespace xtorch
{
    namespace detail
    {
        /// The problem, found and expected parts of a refusal's message (the call and the fix are the caller's).
        struct refusal_parts
        {
            std::string problem;
            std::string found;
            std::string expected;
        };

        /// Negative strides, which torch does not have, for every source: `noun` names it ("numpy array"),
        /// `strides` shows them in the reader's spelling.
        inline refusal_parts negative_stride_refusal(const std::string& noun, const std::string& strides)
        {
            return {"at least one stride in the given " + noun
                        + " is negative, and tensors with negative strides are not currently supported",
                    "strides " + strides, "non-negative strides"};
        }

        /// Memory of another device than the CPU, where a view is asked for; `device` as torch names it.
        inline refusal_parts device_refusal(const std::string& device)
        {
            return {"can't convert " + device + " device type tensor to xtensor", "device " + device,
                    "device cpu"};
        }
    }
}

#endif
