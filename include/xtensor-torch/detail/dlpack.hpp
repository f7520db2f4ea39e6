// The DLPack ABI as this torch has it (the DLPack 1.x versioned struct where torch's header predates it, the
// flags, whether bool crosses) and the import of a host DLPack tensor as a CPU tensor that owns it: what
// dlpack.hpp and the Python importers share. The names outside `detail` are public, documented with dlpack.hpp.
#ifndef XTENSOR_TORCH_DETAIL_DLPACK_HPP
#define XTENSOR_TORCH_DETAIL_DLPACK_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include <ATen/DLConvertor.h>
#include <ATen/dlpack.h>

#include "../dtype.hpp"
#include "geometry.hpp"
#include "import.hpp"
#include "refusal.hpp"
#include "view_refusals.hpp"
#include "view_types.hpp"

// Bool crosses DLPack where the header has kDLBool (DLPack 0.8+) and torch exports it (2.2+).
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 2) \
    && (defined(DLPACK_MAJOR_VERSION) || (defined(DLPACK_VERSION) && DLPACK_VERSION >= 80))
#define XTENSOR_TORCH_DLPACK_BOOL 1
#else
#define XTENSOR_TORCH_DLPACK_BOOL 0
#endif

namespace xtorch
{
#if defined(DLPACK_MAJOR_VERSION) && DLPACK_MAJOR_VERSION >= 1
    /// DLPack 1.x's managed tensor: a version, flags (read-only, copied) and the DLTensor.
    using dl_managed_tensor_versioned = ::DLManagedTensorVersioned;
#else
    /// DLPack 1.x's DLManagedTensorVersioned, with the layout DLPack 1.0 fixes for every 1.x version (the
    /// DLPack header of this torch is older and lacks it): what a "dltensor_versioned" capsule holds.
    struct dl_managed_tensor_versioned
    {
        struct
        {
            std::uint32_t major;
            std::uint32_t minor;
        } version;
        void* manager_ctx;                                   // the producer's, may be null
        void (*deleter)(dl_managed_tensor_versioned* self);  // frees self too; may be null
        std::uint64_t flags;                                 // dlpack_flag_read_only | dlpack_flag_is_copied
        DLTensor dl_tensor;
    };
#endif

    /// DLPack 1.x flags: the memory must not be written; the producer copied it (writes reach no one else).
    constexpr std::uint64_t dlpack_flag_read_only = 1ULL << 0;
    constexpr std::uint64_t dlpack_flag_is_copied = 1ULL << 1;

    /// Releases a DLManagedTensor; from_dlpack calls it once, when the last view or tensor over the
    /// memory is gone. The default calls the tensor's own deleter.
    using dlpack_release = void (*)(DLManagedTensor*);

    /// The same for a DLPack 1.x tensor.
    using dlpack_versioned_release = void (*)(dl_managed_tensor_versioned*);

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
        template <class M>
        struct dl_owner
        {
            M* managed;
            void (*release)(M*);  // null: the tensor's own deleter
        };

        template <class M>
        void release_dl_owner(void* ctx)
        {
            auto* owner = static_cast<dl_owner<M>*>(ctx);
            if (owner->release != nullptr)
            {
                owner->release(owner->managed);
            }
            else if (owner->managed->deleter != nullptr)
            {
                owner->managed->deleter(owner->managed);
            }
            delete owner;
        }

        /// Releases the producer's tensor now, unless disarmed: from_dlpack consumes its argument also when
        /// it refuses.
        struct dl_guard
        {
            void* ctx;
            c10::DeleterFnPtr release;

            ~dl_guard()
            {
                if (ctx != nullptr)
                {
                    release(ctx);
                }
            }
        };

        /// How to import a DLPack tensor instead, by fault; `call` says whether a C++ call or a parameter refused.
        inline std::string dlpack_fix(import_fault f, const call_site& call)
        {
            switch (f)
            {
                case import_fault::negative_stride:
                    return "Make a contiguous copy on the producer's side first (numpy.ascontiguousarray(a), "
                           "t.contiguous()).";
                case import_fault::too_large:
                case import_fault::outside_storage: return "Pass a smaller tensor.";
                case import_fault::misaligned: return "Make an aligned copy on the producer's side first.";
                case import_fault::read_only:
                {
                    if (call.parameter)
                    {
                        return "Take it as a view of const elements to read it, or pass a writable copy.";
                    }
                    call_site reading = call;
                    reading.is_const = true;
                    return "Use " + reading.text() + "(m) to read it, or copy it on the producer's side.";
                }
                case import_fault::self_overlap:
                {
                    if (call.parameter)
                    {
                        return "Take it as a view of const elements to read it, or pass a copy (x.clone(), "
                               "a.copy()).";
                    }
                    call_site reading = call;
                    reading.is_const = true;
                    return "Use " + reading.text() + "(m) to read it, or copy it on the producer's side.";
                }
                case import_fault::none: break;
            }
            return "";
        }

        /**
         * The adapter of a host DLPack tensor: its memory from the first element, with its own dtype, checked by
         * settle_or_refuse. `expected` is the dtype the caller wants (Undefined: any), checked before the
         * geometry; `read_only` is the producer's flag, refused where `writable`.
         */
        inline strided_source import_dlpack(const DLTensor& dl, const call_site& call,
                                            c10::ScalarType expected, bool read_only, bool writable)
        {
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
                       "Use " + call.with_element(cpp_name_of(st)).text()
                           + " to view it as it is, or convert it on the producer's side.");
            }
            if (dl.ndim < 0 || (dl.ndim > 0 && dl.shape == nullptr))
            {
                refuse(call, "the DLPack tensor has no valid shape", "ndim " + std::to_string(dl.ndim),
                       "ndim >= 0 and a shape array", "Fix the producer.");
            }
            strided_source s;
            s.data = static_cast<char*>(dl.data) + dl.byte_offset;
            s.itemsize = static_cast<std::int64_t>(c10::elementSize(st));
            s.alignment = s.itemsize;
            s.dtype = st;
            s.read_only = read_only;
            s.g.sizes.assign(dl.shape, dl.shape + dl.ndim);
            s.g.strides.resize(static_cast<std::size_t>(dl.ndim));
            // strides == nullptr means compact row-major. A product that wraps here wraps in settle() too,
            // which refuses it.
            std::int64_t next = 1;
            for (std::int32_t d = dl.ndim; d-- > 0;)
            {
                if (s.g.sizes[d] < 0)
                {
                    refuse(call, "the DLPack tensor has a negative size", "shape " + format_list(s.g.sizes),
                           "sizes >= 0", "Fix the producer.");
                }
                s.g.strides[d] = dl.strides != nullptr ? dl.strides[d] : next;
                __builtin_mul_overflow(next, std::max<std::int64_t>(s.g.sizes[d], 1), &next);
            }
            settle_or_refuse(s, writable, call, "DLPack tensor",
                             [&](import_fault f) { return dlpack_fix(f, call); });
            return s;
        }

        inline void refuse_null_dlpack(const call_site& call, const char* type)
        {
            refuse(
                call, std::string("the ") + type + " pointer is null", "nullptr",
                "a tensor from a DLPack producer",
                "Pass the pointer a producer returned (xtorch::to_dlpack, at::toDLPack, a capsule's pointer).");
        }

        /**
         * A CPU tensor over the memory of `managed`, with its own dtype; the tensor's storage releases
         * `managed` (through `release`, or its own deleter) when the last tensor or view over it is gone.
         * Consumes `managed` also when it throws. `expected` is the dtype the caller wants (Undefined: any).
         */
        inline at::Tensor tensor_from_dlpack(DLManagedTensor* managed, const call_site& call,
                                             c10::ScalarType expected, dlpack_release release = nullptr)
        {
            if (managed == nullptr)
            {
                refuse_null_dlpack(call, "DLManagedTensor");
            }
            dl_guard guard{new dl_owner<DLManagedTensor>{managed, release},
                           &release_dl_owner<DLManagedTensor>};
            const strided_source s = import_dlpack(managed->dl_tensor, call, expected, false, false);
            // From here on the storage owns the producer's tensor.
            const memory_owner owner{guard.ctx, guard.release};
            guard.ctx = nullptr;
            return tensor_over(s, owner);
        }

        /**
         * The same for a DLPack 1.x tensor: refuses another major version (releasing it, as DLPack asks),
         * and, where `writable`, a tensor flagged read-only or (`refuse_copied`) copied by its producer.
         */
        inline at::Tensor tensor_from_dlpack(dl_managed_tensor_versioned* managed, const call_site& call,
                                             c10::ScalarType expected, bool writable, bool refuse_copied,
                                             dlpack_versioned_release release = nullptr)
        {
            if (managed == nullptr)
            {
                refuse_null_dlpack(call, "DLManagedTensorVersioned");
            }
            dl_guard guard{new dl_owner<dl_managed_tensor_versioned>{managed, release},
                           &release_dl_owner<dl_managed_tensor_versioned>};
            if (managed->version.major != 1)
            {
                refuse(call, "unsupported DLPack major version",
                       "version " + std::to_string(managed->version.major) + "."
                           + std::to_string(managed->version.minor),
                       "major version 1", "Ask the producer for DLPack 1.x: __dlpack__(max_version=(1, 0)).");
            }
            if (writable && refuse_copied && (managed->flags & dlpack_flag_is_copied) != 0)
            {
                refuse(call, "the DLPack producer copied the memory, so writes would not reach the caller",
                       "the is-copied flag set", "the producer's own memory",
                       "Pass memory the producer can share, or take a view of const elements.");
            }
            const strided_source s = import_dlpack(managed->dl_tensor, call, expected,
                                                   (managed->flags & dlpack_flag_read_only) != 0, writable);
            const memory_owner owner{guard.ctx, guard.release};
            guard.ctx = nullptr;
            return tensor_over(s, owner);
        }

        /// from_dlpack<T>'s work: the tensor of `managed`, checked for T and `rank` (-1: any), viewed as V.
        template <class V, class T, class M, class R>
        V view_from_dlpack(M* managed, R release, std::int64_t rank)
        {
            static_assert(
                XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<std::remove_const_t<T>, bool>::value,
                "xtorch::from_dlpack: bool does not cross DLPack with this torch (it needs torch 2.2 or later "
                "and DLPack 0.8 or later). View the memory as std::uint8_t instead.");
            const call_site call = call_site::of<T>("xtorch::from_dlpack", rank);
            at::Tensor t;
            if constexpr (std::is_same<M, DLManagedTensor>::value)
            {
                t = tensor_from_dlpack(managed, call, scalar_type_of<T>(), release);
            }
            else
            {
                t = tensor_from_dlpack(managed, call, scalar_type_of<T>(), !std::is_const<T>::value, false,
                                       release);
            }
            if (rank >= 0 && t.dim() != rank)
            {
                const refusal_parts parts = rank_refusal(t.sizes(), rank, audience::cpp);
                refuse(call, parts.problem, parts.found, parts.expected,
                       "Use " + call.any_rank().text() + "(m) for any rank.");
            }
            return make_view<V, T>(t);
        }
    }
}

#endif
