// The view types over torch storages (tensor_buffer, xarray_view, xtensor_view) and how a view is made over a
// storage from torch's sizes and strides: what views.hpp, the DLPack import and the casters share. The names
// outside `detail` are public, and documented here.
#ifndef XTENSOR_TORCH_DETAIL_VIEW_TYPES_HPP
#define XTENSOR_TORCH_DETAIL_VIEW_TYPES_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "buffer.hpp"
#include "inline_shape.hpp"
#include "refusal.hpp"
#include "xtensor.hpp"

namespace xtorch
{
    namespace detail
    {
        template <>
        struct holder_traits<c10::Storage>
        {
            [[noreturn]] static void refuse_resize(std::size_t asked, std::size_t size)
            {
                refuse("xtorch::tensor_buffer::resize", "a view over a tensor cannot be resized",
                       std::to_string(asked) + " elements asked for",
                       std::to_string(size) + " elements, the size of the tensor's storage",
                       "Assign an expression of the view's shape, or copy with xtorch::to_xarray(t).");
            }
        };
    }

    /**
     * A flat buffer of T over a torch storage, for xtensor adaptors.
     *
     * It keeps the storage (a reference-counted c10::Storage) alive for as long as it, or any copy of
     * it, exists: the tensor the buffer came from may be destroyed first. The buffer cannot be
     * resized: resizing would need new memory that the tensor would not see.
     *
     * Its size is the number of elements of the whole storage; data() points at element 0 of the
     * storage, not at the tensor's first element (the view's offset says where that is).
     */
    template <class T>
    using tensor_buffer = detail::held_buffer<T, c10::Storage>;

    /// A 1-d xtensor adaptor over a whole torch storage; the views below are strided views of it.
    template <class T>
    using tensor_flat = xt::xtensor_adaptor<tensor_buffer<T>, 1, xt::layout_type::row_major>;

    /**
     * An xtensor expression of dynamic rank over the memory of a CPU tensor, made by as_xarray<T>(t).
     *
     * It is an xt::xstrided_view: it works with xt::sum, xt::view, operator(), iterators and
     * assignment, and it carries the tensor's exact sizes, strides and storage offset. It holds the
     * tensor's storage alive, so it may outlive every at::Tensor that shared it. Its shape and strides
     * are xtorch::inline_shape sequences (eight dimensions in place, more on the heap), which compare
     * with std::vector as xtensor's dynamic shapes do.
     *
     * Copying the view makes a second view of the same memory. Assigning an expression to it writes
     * the elements through the strides (shapes must match or broadcast), as with xt::view.
     * T may be const: as_xarray<const float>(t) gives a view that cannot write.
     */
    template <class T>
    using xarray_view =
        xt::xstrided_view<tensor_flat<T>, inline_shape<std::size_t>, xt::layout_type::dynamic>;

    /// The same as xarray_view with the static rank N, made by as_xtensor<T, N>(t).
    template <class T, std::size_t N>
    using xtensor_view =
        xt::xstrided_view<tensor_flat<T>, std::array<std::size_t, N>, xt::layout_type::dynamic>;

    namespace detail
    {
        template <class S>
        struct shape_maker
        {
            static S make(std::size_t rank)
            {
                return S(rank);
            }
        };

        template <class I, std::size_t N>
        struct shape_maker<std::array<I, N>>
        {
            static std::array<I, N> make(std::size_t)
            {
                return {};
            }
        };

        /**
         * What a view of type V is made of, before it is made. xt::xstrided_view declares a copy assignment
         * (it writes elements) and so has no move constructor: moving a view copies it, two atomic operations
         * on the storage's reference count and xtensor's shape vectors. A caster keeps the parts and makes
         * the view once, where it is needed (a by-value parameter: in place).
         */
        template <class V, class T>
        struct view_parts
        {
            tensor_buffer<T> buffer;
            typename V::shape_type shape;
            typename V::strides_type strides;
            std::size_t offset;
            xt::layout_type layout;

            V make() &&
            {
                return assemble_view<V>(std::move(buffer), std::move(shape), std::move(strides), offset, layout);
            }

            V make() const&
            {
                return view_parts(*this).make();
            }
        };

        /**
         * The parts of a view of type V over `storage` from element `offset`, with torch's sizes and strides
         * (checked already: by check_viewable, or by an importer that made the storage), handed to
         * `make(buffer, shape, strides, offset, layout)`, whose result is returned; `contiguous` says the
         * strides are row-major (torch keeps that as a flag, so the common case compares no strides). The
         * parts are moved once, into what `make` builds: the view itself (make_view) or view_parts.
         * `storage` is taken by value, so copied where the call is made: its atomic increment comes before the
         * stores of the shape and strides, and so does not wait for them to drain. A numpy array's new storage
         * is copied too: moved in, the loads of its fields that follow stall on the stores that made it.
         */
        template <class V, class T, class Sizes, class Strides, class Make>
        decltype(auto) with_view_parts(c10::Storage storage, std::int64_t offset, const Sizes& sizes,
                                       const Strides& strides, bool contiguous, Make&& make)
        {
            using shape_type = typename V::shape_type;
            using strides_type = typename V::strides_type;
            const auto rank = static_cast<std::size_t>(sizes.size());
            shape_type shape = shape_maker<shape_type>::make(rank);
            strides_type view_strides = shape_maker<strides_type>::make(rank);
            std::size_t numel = 1;
            for (std::size_t d = 0; d < rank; ++d)
            {
                shape[d] = static_cast<std::size_t>(sizes[d]);
                numel *= shape[d];
                // xtensor broadcasts through size-1 dimensions by giving them stride 0; torch may give
                // them any stride.
                view_strides[d] = shape[d] == 1 ? 0 : static_cast<std::ptrdiff_t>(strides[d]);
            }
            // Tell xtensor when the memory is contiguous, so that it may iterate linearly.
            xt::layout_type layout = xt::layout_type::dynamic;
            if (numel > 1 && contiguous)
            {
                layout = xt::layout_type::row_major;
            }
            else if (numel > 1)
            {
                strides_type row = shape_maker<strides_type>::make(rank);
                strides_type col = shape_maker<strides_type>::make(rank);
                xt::compute_strides(shape, xt::layout_type::row_major, row);
                xt::compute_strides(shape, xt::layout_type::column_major, col);
                if (std::equal(view_strides.begin(), view_strides.end(), row.begin()))
                {
                    layout = xt::layout_type::row_major;
                }
                else if (std::equal(view_strides.begin(), view_strides.end(), col.begin()))
                {
                    layout = xt::layout_type::column_major;
                }
            }
            // As Tensor.numpy() does: a view cannot follow its tensor to new memory, so torch must not move
            // the tensor there (t.resize_ larger would free the block the view reads). Torch refuses such a
            // resize_ from now on with its own message.
            if (storage.resizable())
            {
                storage.unsafeGetStorageImpl()->set_resizable(false);
            }
            // A writable view writes: on a copy-on-write storage, that needs memory of its own first.
            T* base = nullptr;
            if constexpr (std::is_const<T>::value)
            {
                base = static_cast<T*>(storage.data());
            }
            else
            {
                base = static_cast<T*>(mutable_data(storage));
            }
            const std::size_t size = storage.nbytes() / sizeof(T);
            return make(tensor_buffer<T>(std::move(storage), base, size), std::move(shape), std::move(view_strides),
                        static_cast<std::size_t>(offset), layout);
        }

        /// The parts of a view of type V over `storage`: with_view_parts kept for a view made later.
        template <class V, class T, class Sizes, class Strides>
        view_parts<V, T> make_view_parts(c10::Storage storage, std::int64_t offset, const Sizes& sizes,
                                         const Strides& strides, bool contiguous)
        {
            return with_view_parts<V, T>(std::move(storage), offset, sizes, strides, contiguous,
                                         [](auto&& buffer, auto&& shape, auto&& view_strides, std::size_t first,
                                            xt::layout_type layout)
                                         {
                                             return view_parts<V, T>{std::move(buffer), std::move(shape),
                                                                     std::move(view_strides), first, layout};
                                         });
        }

        /// A view of type V over `storage`, built in place from with_view_parts.
        template <class V, class T, class Sizes, class Strides>
        V make_view(c10::Storage storage, std::int64_t offset, const Sizes& sizes, const Strides& strides,
                    bool contiguous)
        {
            return with_view_parts<V, T>(std::move(storage), offset, sizes, strides, contiguous,
                                         [](auto&& buffer, auto&& shape, auto&& view_strides, std::size_t first,
                                            xt::layout_type layout)
                                         {
                                             return assemble_view<V>(std::move(buffer), std::move(shape),
                                                                     std::move(view_strides), first, layout);
                                         });
        }

        /// The parts of a view of type V over t, which check_viewable has accepted.
        template <class V, class T>
        view_parts<V, T> make_view_parts(const at::Tensor& t)
        {
            return make_view_parts<V, T>(storage_of(t), t.storage_offset(), t.sizes(), t.strides(),
                                         t.is_contiguous());
        }

        /// Builds a view of type V over t, which check_viewable has accepted.
        template <class V, class T>
        V make_view(const at::Tensor& t)
        {
            return make_view<V, T>(storage_of(t), t.storage_offset(), t.sizes(), t.strides(), t.is_contiguous());
        }
    }
}

#endif
