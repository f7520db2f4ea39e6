// DLPack both ways: to_dlpack (xtensor expression -> DLManagedTensor*) and from_dlpack<T>
// (DLManagedTensor* -> xarray_view<T>), without copying.
//
// libtorch 1.13 speaks DLPack 0.6 (<ATen/dlpack.h>, the same header as Debian's libdlpack-dev, with
// the same include guard, so either may be included first). DLPack 0.6 has no bool type and no
// read-only flag: bool elements and const expressions are refused at compile time.
#ifndef XTENSOR_TORCH_DLPACK_HPP
#define XTENSOR_TORCH_DLPACK_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <ATen/DLConvertor.h>
#include <ATen/dlpack.h>

#include "as_tensor.hpp"
#include "dtype.hpp"
#include "errors.hpp"
#include "views.hpp"

// Bool crosses DLPack where the header has kDLBool (DLPack 0.8+) and torch exports it (2.2+).
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 2) \
    && (defined(DLPACK_MAJOR_VERSION) || (defined(DLPACK_VERSION) && DLPACK_VERSION >= 80))
#define XTENSOR_TORCH_DLPACK_BOOL 1
#else
#define XTENSOR_TORCH_DLPACK_BOOL 0
#endif

namespace xtorch
{
    /// Releases a DLManagedTensor; from_dlpack calls it once, when the last view or tensor over the
    /// memory is gone. The default calls the tensor's own deleter.
    using dlpack_release = void (*)(DLManagedTensor*);

    namespace detail
    {
        /// "float64 (code 2, 64 bits)": a DLPack dtype as messages show it.
        inline std::string dl_dtype_text(const DLDataType& dt)
        {
            const char* code = "unknown code";
            switch (dt.code)
            {
                case kDLInt: code = "int"; break;
                case kDLUInt: code = "uint"; break;
                case kDLFloat: code = "float"; break;
                case kDLBfloat: code = "bfloat"; break;
                case kDLComplex: code = "complex"; break;
#if XTENSOR_TORCH_DLPACK_BOOL
                case kDLBool: code = "bool"; break;
#endif
                default: break;
            }
            std::string text = code + std::to_string(dt.bits);
            if (dt.lanes != 1)
            {
                text += "x" + std::to_string(dt.lanes);
            }
            return text + " (DLPack code " + std::to_string(dt.code) + ", " + std::to_string(dt.bits)
                   + " bits)";
        }

        /// The torch dtype of a DLPack dtype, or Undefined when the map has none.
        inline c10::ScalarType scalar_type_of_dl(const DLDataType& dt)
        {
            return dt.lanes == 1 ? scalar_type_of_dlpack(dt.code, dt.bits, XTENSOR_TORCH_DLPACK_BOOL)
                                 : c10::ScalarType::Undefined;
        }

        /// What from_dlpack keeps in the storage's DataPtr: the producer's tensor and how to release it.
        struct dl_owner
        {
            DLManagedTensor* managed;
            dlpack_release release;
        };

        inline void release_managed(DLManagedTensor* managed, dlpack_release release)
        {
            if (release != nullptr)
            {
                release(managed);
            }
            else if (managed->deleter != nullptr)
            {
                managed->deleter(managed);
            }
        }

        inline void release_dl_owner(void* ctx)
        {
            auto* owner = static_cast<dl_owner*>(ctx);
            release_managed(owner->managed, owner->release);
            delete owner;
        }

        /// Calls release (or the tensor's deleter) now: from_dlpack consumes its argument also when it refuses.
        struct dl_guard
        {
            DLManagedTensor* managed;
            dlpack_release release;

            ~dl_guard()
            {
                if (managed != nullptr)
                {
                    release_managed(managed, release);
                }
            }
        };

        /**
         * A CPU tensor over the memory of `managed`, with its own dtype; the tensor's storage releases
         * `managed` when the last tensor or view over it is gone. Consumes `managed` also when it throws.
         * `expected` is the dtype the caller wants (Undefined: any), checked before anything is built.
         */
        inline at::Tensor tensor_from_dlpack(DLManagedTensor* managed, const std::string& call,
                                             c10::ScalarType expected, dlpack_release release = nullptr)
        {
            if (managed == nullptr)
            {
                refuse(
                    call, "the DLManagedTensor pointer is null", "nullptr", "a tensor from a DLPack producer",
                    "Pass the pointer a producer returned (xtorch::to_dlpack, at::toDLPack, a capsule's pointer).");
            }
            dl_guard guard{managed, release};
            const DLTensor& dl = managed->dl_tensor;
            if (dl.device.device_type != kDLCPU && dl.device.device_type != kDLCUDAHost)
            {
                refuse(
                    call, "the DLPack tensor is not in host memory",
                    "DLPack device type " + std::to_string(dl.device.device_type) + ", id "
                        + std::to_string(dl.device.device_id),
                    "kDLCPU (1) or kDLCUDAHost (3)",
                    "Copy it to host memory first (t.cpu() in torch), or use at::fromDLPack and xtorch::to_xarray.");
            }
            const c10::ScalarType st = scalar_type_of_dl(dl.dtype);
            if (st == c10::ScalarType::Undefined)
            {
                refuse(call, "unsupported DLPack dtype", dl_dtype_text(dl.dtype),
                       "one lane of " + supported_dtypes(),
                       "Convert the array on the producer's side first.");
            }
            if (expected != c10::ScalarType::Undefined && st != expected)
            {
                refuse(call, "dtype mismatch", dl_dtype_text(dl.dtype) + ", torch " + c10::toString(st),
                       c10::toString(expected),
                       "Use " + call.substr(0, call.find('<')) + "<" + type_name_of(st)
                           + "> to view it as it is, or convert it on the producer's side.");
            }
            if (dl.ndim < 0 || (dl.ndim > 0 && dl.shape == nullptr))
            {
                refuse(call, "the DLPack tensor has no valid shape", "ndim " + std::to_string(dl.ndim),
                       "ndim >= 0 and a shape array", "Fix the producer.");
            }
            const auto itemsize = static_cast<std::int64_t>(c10::elementSize(st));
            geometry g;
            g.sizes.assign(dl.shape, dl.shape + dl.ndim);
            g.strides.resize(static_cast<std::size_t>(dl.ndim));
            bool empty = false;
            bool overflow = false;
            std::int64_t next = 1;  // strides == nullptr means compact row-major
            for (std::int32_t d = dl.ndim; d-- > 0;)
            {
                if (g.sizes[d] < 0)
                {
                    refuse(call, "the DLPack tensor has a negative size", "shape " + format_list(g.sizes),
                           "sizes >= 0", "Fix the producer.");
                }
                g.strides[d] = dl.strides != nullptr ? dl.strides[d] : next;
                empty = empty || g.sizes[d] == 0;
                overflow =
                    overflow || __builtin_mul_overflow(next, std::max<std::int64_t>(g.sizes[d], 1), &next);
            }
            for (std::int32_t d = 0; d < dl.ndim; ++d)
            {
                if (g.strides[d] < 0 && g.sizes[d] > 1)
                {
                    refuse(
                        call,
                        "at least one stride in the given DLPack tensor is negative, and tensors with negative "
                        "strides are not currently supported",
                        "strides " + format_list(g.strides), "non-negative strides",
                        "Make a contiguous copy on the producer's side first (numpy.ascontiguousarray(a), t.contiguous()).");
                }
            }
            if (!overflow)
            {
                settle_geometry(g, 0, itemsize, -1, call, "the DLPack tensor", "Pass a smaller tensor.");
            }
            if (overflow)
            {
                refuse(call,
                       "the DLPack tensor's sizes and strides span more bytes than a tensor can address",
                       "shape " + format_list(g.sizes) + " and strides " + format_list(g.strides),
                       "element and byte counts below 2^63", "Pass a smaller tensor.");
            }
            auto* first = static_cast<char*>(dl.data) + dl.byte_offset;
            if (!empty
                && reinterpret_cast<std::uintptr_t>(first) % static_cast<std::uintptr_t>(itemsize) != 0)
            {
                refuse(call, "the DLPack tensor's data is not aligned to its element size",
                       "address " + std::to_string(reinterpret_cast<std::uintptr_t>(first)),
                       "a multiple of " + std::to_string(itemsize),
                       "Make an aligned copy on the producer's side first.");
            }
            const auto bytes = static_cast<std::size_t>(g.span * itemsize);
            // From here on the storage owns `managed`.
            auto* owner = new dl_owner{managed, release};
            guard.managed = nullptr;
            c10::DataPtr ptr(first, owner, &release_dl_owner, c10::Device(c10::DeviceType::CPU));
            return make_cpu_tensor(make_storage(std::move(ptr), bytes), 0, g, st);
        }

        template <class V, class T>
        V view_from_dlpack(DLManagedTensor* managed, dlpack_release release, std::int64_t rank)
        {
            static_assert(
                XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<std::remove_const_t<T>, bool>::value,
                "xtorch::from_dlpack: DLPack 0.6 (the version libtorch 1.13 speaks) has no bool dtype.");
            const std::string call = call_name<T>("from_dlpack", rank);
            at::Tensor t = tensor_from_dlpack(managed, call, scalar_type_of<T>(), release);
            if (rank >= 0 && t.dim() != rank)
            {
                const refusal_parts parts = rank_refusal(t.sizes(), rank, audience::cpp);
                refuse(call, parts.problem, parts.found, parts.expected,
                       "Use xtorch::from_dlpack<" + type_name<T>() + ">(m) for any rank.");
            }
            return make_view<V, T>(t);
        }
    }

    /**
     * A DLPack tensor over the memory of the xtensor expression `e`, without copying; the caller owns
     * the returned pointer and hands it to a consumer (numpy.from_dlpack, torch.utils.dlpack.from_dlpack,
     * at::fromDLPack), which calls its deleter when done.
     *
     * Ownership follows as_tensor: from an lvalue it borrows (the memory must outlive every consumer),
     * from an rvalue container it takes the container over and frees it in the deleter; a view made by
     * as_xarray keeps the tensor's storage alive. Accepts what as_tensor accepts, with the same refusals
     * (negative strides at run time, lazy and const expressions at compile time); bool elements are
     * refused at compile time because DLPack 0.6 has no bool dtype.
     *
     * **Example**:  DLManagedTensor* m = xtorch::to_dlpack(std::move(a));  // a's buffer, now owned by m
     */
    template <class E>
    DLManagedTensor* to_dlpack(E&& e)
    {
        using D = std::decay_t<E>;
        static_assert(
            xt::is_xexpression<D>::value,
            "xtorch::to_dlpack takes an xtensor expression (xt::xarray, xt::xtensor, xt::adapt, xt::view, ...).");
        static_assert(
            xt::has_data_interface<D>::value,
            "xtorch::to_dlpack: this expression has no memory to share (a lazy expression such as a + b). "
            "Evaluate it first: xtorch::to_dlpack(xt::xarray<double>(e)).");
        static_assert(
            !detail::is_read_only<E>::value,
            "xtorch::to_dlpack: the expression is const, and DLPack 0.6 has no read-only flag, so a consumer "
            "could write into it. Pass a non-const expression, or a copy.");
        static_assert(
            std::is_lvalue_reference<E>::value || detail::move_keeps_data<D>::value,
            "xtorch::to_dlpack: this temporary holds its elements inline (xt::xtensor_fixed), so moving it "
            "would copy them. Pass a variable to borrow its memory.");
        static_assert(
            XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<typename D::value_type, bool>::value,
            "xtorch::to_dlpack: DLPack 0.6 (the version libtorch 1.13 speaks) has no bool dtype. Cast "
            "first: xtorch::to_dlpack(xt::xarray<std::uint8_t>(xt::cast<std::uint8_t>(e))).");
        return at::toDLPack(detail::share(std::forward<E>(e), "xtorch::to_dlpack"));
    }

    /**
     * A zero-copy xarray_view<T> over the memory of a DLPack tensor in host memory.
     *
     * Takes ownership of `managed` in every case: the view (and every tensor or view made from it)
     * keeps it, and `release` (default: managed->deleter) runs once when the last of them is gone; if
     * the call refuses, it releases `managed` before throwing. T must be the tensor's dtype exactly.
     * Refuses (conversion_error) a null pointer, a device other than kDLCPU / kDLCUDAHost, a dtype
     * other than T's, more than one lane, negative strides, and sizes and strides that overflow.
     * `strides == nullptr` is read as compact row-major, as DLPack specifies.
     *
     * **Example**:  auto v = xtorch::from_dlpack<double>(at::toDLPack(t));  // v(0) is t[0]
     */
    template <class T>
    xarray_view<T> from_dlpack(DLManagedTensor* managed, dlpack_release release = nullptr)
    {
        return detail::view_from_dlpack<xarray_view<T>, T>(managed, release, -1);
    }

    /// The same as from_dlpack<T> with the static rank N: also refuses a tensor whose rank is not N.
    template <class T, std::size_t N>
    xtensor_view<T, N> from_dlpack(DLManagedTensor* managed, dlpack_release release = nullptr)
    {
        return detail::view_from_dlpack<xtensor_view<T, N>, T>(managed, release,
                                                               static_cast<std::int64_t>(N));
    }
}

#endif
